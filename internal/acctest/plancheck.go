package acctest

import (
	"context"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// BeforeApply is a plan check that runs f between a step's plan and its
// apply, as a ConfigPlanChecks.PreApply entry: the test framework applies
// the saved plan afterwards, so f can change objects on the server after
// terraform read them, the way another working copy or a person would. An
// error of f fails the step.
func BeforeApply(f func(ctx context.Context) error) plancheck.PlanCheck { return beforeApply(f) }

type beforeApply func(ctx context.Context) error

func (f beforeApply) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(ctx)
}
