package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// clientFromProviderData extracts the API client that the provider's
// Configure put into ProviderData. It returns nil without a diagnostic when
// the provider is not configured yet (ProviderData is nil during validation,
// and when the provider block holds unknown values at plan time); callers
// then return early and are called again once it is.
func clientFromProviderData(pd any, diags *diag.Diagnostics) *client.Client {
	if pd == nil {
		return nil
	}
	data, ok := pd.(*providerData)
	if !ok || data == nil || data.Client == nil {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *provider.providerData with an API client, got %T. This is a bug in the provider; please report it.", pd))
		return nil
	}
	return data.Client
}

// readFailed handles err, the error of reading a resource's object in
// Read. An object deleted outside Terraform (client.ErrNotFound) is
// removed from state, so that the next plan creates it again; any other
// error is reported under summary, doing saying what failed. It tells
// whether Read ends here; fields name the object in the log.
func readFailed(ctx context.Context, err error, resp *resource.ReadResponse, summary, doing string, fields map[string]any) bool {
	if errors.Is(err, client.ErrNotFound) {
		tflog.Warn(ctx, "The object no longer exists; removing it from state", fields)
		resp.State.RemoveResource(ctx)
		return true
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summary, doing, err, nil)
		return true
	}
	return false
}

// notConfiguredError is added by CRUD methods that run without a client,
// which terraform only allows when the provider block is unusable.
func notConfiguredError(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The jitsudo provider has no API client: its endpoint, api_key or tenant_id is still unknown or invalid. "+
			"Set them in the provider block or through JITSUDO_ENDPOINT, JITSUDO_API_KEY and JITSUDO_TENANT_ID.")
}

// locationPath maps a `location` of the API's details.validation (a JSON
// path into the request body, such as "conditions" or
// "resources[3].session_duration") to the attribute the user wrote. ok is
// false when the location has no attribute of its own.
type locationPath func(location string) (p path.Path, ok bool)

// addAPIError turns an error of the API client into diagnostics.
//
// The summary is short and title-case ("Error Creating Policy"); the detail
// says what was attempted on which object and carries the server's code,
// message and notices. Validation details whose location maps to an
// attribute also become attribute errors (or warnings, for WARN findings)
// on that attribute, so terraform points at the line the user wrote. A
// conflict carrying details.existing_id suggests importing that object.
func addAPIError(diags *diag.Diagnostics, summary, action string, err error, at locationPath) {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		diags.AddError(summary, fmt.Sprintf("%s failed: %v", capitalize(action), err))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed: the JITSudo API answered %d %s: %s", capitalize(action), ae.Status, ae.Code, ae.Message)
	if ae.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", ae.RequestID)
	}
	b.WriteString(".")
	if id := ae.ExistingID(); id != "" {
		fmt.Fprintf(&b, "\n\nThe object already exists with id %q. To manage it with Terraform, import it (terraform import, or an import block with id = %q) instead of creating it again.", id, id)
	}
	if len(ae.Notices) > 0 {
		b.WriteString("\n\nNotices from the server:")
		for _, n := range ae.Notices {
			b.WriteString("\n  - " + n)
		}
	}
	attributed := false
	for _, v := range ae.Validation() {
		if at == nil {
			break
		}
		p, ok := at(v.Location)
		if !ok {
			continue
		}
		attributed = true
		msg := fmt.Sprintf("%s (%s)", v.Message, v.Code)
		if v.Line != nil && v.Column != nil {
			msg = fmt.Sprintf("%d:%d: %s", *v.Line, *v.Column, msg)
		}
		if v.Type == "WARN" || v.Type == "INFO" {
			diags.AddAttributeWarning(p, summary, msg)
		} else {
			diags.AddAttributeError(p, summary, msg)
		}
	}
	if !attributed {
		for _, v := range ae.Validation() {
			fmt.Fprintf(&b, "\n  - %s: %s (%s)", v.Location, v.Message, v.Code)
		}
	}
	diags.AddError(summary, b.String())
}

// addNotices turns the notices of a successful write into one warning.
func addNotices(diags *diag.Diagnostics, summary string, notices *[]string) {
	if notices == nil || len(*notices) == 0 {
		return
	}
	diags.AddWarning(summary, "The JITSudo API accepted the change with these notices:\n  - "+strings.Join(*notices, "\n  - "))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
