package provider

// Operation timeouts of the resources: the framework's standard timeouts
// attribute (terraform-plugin-framework-timeouts), for create, update and
// delete. Each bounds the whole operation, every API call and retry of it
// included; request_timeout of the provider bounds each HTTP attempt.

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// defaultOperationTimeout bounds a create, update or delete whose timeout
// the timeouts attribute leaves unset.
const defaultOperationTimeout = 20 * time.Minute

// timeoutsAttribute is the timeouts attribute of every resource:
//
//	timeouts = { create = "5m", update = "5m", delete = "10m" }
//
// It is an attribute (timeouts.Attributes), not a block: the style of
// framework providers, written with "=".
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	durationDesc := func(op string) string {
		return fmt.Sprintf("How long %s may take, all API calls and their retries included, a Go duration such as `30s`, "+
			"`10m` or `1h`. Defaults to `%s`.", op, durationString(defaultOperationTimeout))
	}
	a, ok := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true, Update: true, Delete: true,
		CreateDescription: durationDesc("a create"),
		UpdateDescription: durationDesc("an update"),
		DeleteDescription: durationDesc("a delete"),
	}).(schema.SingleNestedAttribute)
	if !ok {
		panic("timeouts.Attributes is not a SingleNestedAttribute")
	}
	a.MarkdownDescription = "Time limits of the operations on this resource, e.g. `timeouts = { create = \"5m\", delete = \"10m\" }`. " +
		"When an operation runs out of time it stops waiting for the API and fails with an error naming the timeout; each HTTP " +
		"attempt within it is bounded by the provider's `request_timeout`. Changing only `timeouts` leaves the object's settings as they are."
	for name, na := range a.Attributes {
		if s, ok := na.(schema.StringAttribute); ok {
			s.MarkdownDescription = s.Description
			a.Attributes[name] = s
		}
	}
	return a
}

// durationString is d as a configuration would write it: "20m", not
// time.Duration's "20m0s".
func durationString(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// withTimeout bounds ctx by the timeout of one operation, get being
// Timeouts.Create, Update or Delete of the resource's model; an
// unparseable value (the attribute's validator rejects those at validate
// time) is reported to diags and the default applies. Call the returned
// cancel when the operation ends:
//
//	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
//	defer cancel()
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := get(ctx, defaultOperationTimeout)
	diags.Append(dd...)
	ctx, cancel := context.WithTimeoutCause(ctx, d, operationTimeoutError{d})
	return ctx, cancel
}

// operationTimeoutError is the cause of a context that withTimeout ended.
type operationTimeoutError struct{ d time.Duration }

func (e operationTimeoutError) Error() string {
	return fmt.Sprintf("the operation did not finish within its timeout of %s (the resource's timeouts attribute)", e.d)
}

// Is makes the cause match context.DeadlineExceeded.
func (e operationTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// nullTimeouts is the value of an unset timeouts attribute, for states
// built from scratch (an import).
func nullTimeouts(ctx context.Context) timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(timeoutsAttribute(ctx).GetType().(timeouts.Type).AttrTypes)}
}
