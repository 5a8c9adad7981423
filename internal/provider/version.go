package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// Every object of the API carries its version, the `etag` of its body. The
// resources keep the etag of their last read in private state and send it
// as If-Match on every update and delete, so a change made outside
// Terraform after the plan read the object fails the write with 412
// instead of being overwritten unseen.

// privateETagKey is the private-state key of the object's etag.
const privateETagKey = "etag"

// privateGetter and privateSetter are the framework's private state of a
// request and of a response.
type (
	privateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// storedETag is the etag kept in private state, "" when there is none (a
// state written before versions, or an import not yet read).
func storedETag(ctx context.Context, p privateGetter) (string, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateETagKey)
	if diags.HasError() || len(raw) == 0 {
		return "", diags
	}
	var etag string
	if err := json.Unmarshal(raw, &etag); err != nil {
		return "", diags // not ours: write unconditionally rather than fail
	}
	return etag, diags
}

// storeETag keeps etag in private state.
func storeETag(ctx context.Context, p privateSetter, etag string) diag.Diagnostics {
	raw, err := json.Marshal(etag)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unexpected ETag", "Could not encode the object's version: "+err.Error())
		return diags
	}
	return p.SetKey(ctx, privateETagKey, raw)
}

// ifMatch is the If-Match option of a write, none without an etag.
func ifMatch(etag string) []client.Option {
	if etag == "" {
		return nil
	}
	return []client.Option{client.IfMatch(etag)}
}

// errChangedOutside is returned when a write refused with 412 finds the
// object changed by someone else, not by this apply.
var errChangedOutside = errors.New("changed outside Terraform since it was read")

// isStale reports whether err is a 412: the object changed since its etag
// was read.
func isStale(err error) bool { return errors.Is(err, client.ErrPreconditionFailed) }

// addChangedOutsideError reports a write refused with 412 whose object,
// read again, is not what this apply intended: someone changed it after
// Terraform read it.
func addChangedOutsideError(diags *diag.Diagnostics, summary, object string) {
	diags.AddError(summary, fmt.Sprintf("%s was changed outside Terraform since Terraform read it, so Terraform changed "+
		"nothing rather than overwrite that change. Run terraform plan again to see the change, then apply.", capitalize(object)))
}

// concurrencyDescription ends the description of every resource.
const concurrencyDescription = "Every update and delete is conditional on the version of the object that Terraform last " +
	"read (its `etag`, kept in private state): if the object was changed outside Terraform after the plan read it, the " +
	"apply changes nothing and fails with \"changed outside Terraform since Terraform read it\"; run `terraform plan` " +
	"again to see the change. A write whose response was lost and that the provider retried is recognised as its own."
