package provider

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwpath "github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// A committed write is never forgotten: when a create committed on the
// server but what should follow it failed (its answer could not be
// decoded, a read-back failed), the resource is still saved to state with
// what is known, and the error returned. terraform then marks it tainted,
// and the next plan reads the object and replaces it, instead of creating
// a duplicate or refusing to create it because it exists.

// createdID is the id of the object a create made, from the Location of
// its 201 answer, when the create committed but its body was unusable.
func createdID(res *client.Response) (string, bool) {
	if res.StatusCode != http.StatusCreated || res.Location == "" {
		return "", false
	}
	id := path.Base(strings.TrimRight(res.Location, "/"))
	return id, id != "" && id != "." && id != "/"
}

// keepCommitted sets state to the planned values with every value still
// unknown (the computed ones the answer would have filled) null. Callers
// then set the identifying attributes they know.
func keepCommitted(plan tfsdk.Plan, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	raw, err := tftypes.Transform(plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("Unexpected Plan Value", fmt.Sprintf("Could not save the created object to state: %s. This is a bug in the provider; please report it.", err))
		return diags
	}
	state.Raw = raw
	return diags
}

// committedError is the error of a write that committed on the server
// but whose answer could not be used.
type committedError struct{ err error }

func (e committedError) Error() string { return e.err.Error() }
func (e committedError) Unwrap() error { return e.err }

// addCommittedError reports a create that committed but whose answer
// could not be used.
func addCommittedError(diags *diag.Diagnostics, summary, object string, err error) {
	diags.AddError(summary, fmt.Sprintf("%s was created, but its answer could not be used: %v\n\n"+
		"It is saved in the state so that it is not created twice: the next plan reads it and, as terraform marks a "+
		"failed create as tainted, replaces it.", capitalize(object), err))
}

// keepCreated saves the object a failed create made, if its answer says
// one was made: the planned values and the id, from Location.
func keepCreated(ctx context.Context, res *client.Response, plan tfsdk.Plan, state *tfsdk.State, idAttr string, diags *diag.Diagnostics) (string, bool) {
	id, ok := createdID(res)
	if !ok {
		return "", false
	}
	diags.Append(keepCommitted(plan, state)...)
	diags.Append(state.SetAttribute(ctx, fwpath.Root(idAttr), id)...)
	return id, true
}
