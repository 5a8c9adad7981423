package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
)

// resourceBase is embedded by every resource: it takes the API client and
// the refresh caches from the provider's Configure and guards the CRUD
// methods against running without them.
type resourceBase struct {
	client *client.Client
	caches *refreshCaches
}

// Configure takes what the provider's Configure put into ProviderData.
func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
	b.caches = cachesFromProviderData(req.ProviderData)
}

// configured reports whether the resource has an API client, adding the
// not-configured error to diags when it has none.
func (b *resourceBase) configured(diags *diag.Diagnostics) bool {
	if b.client == nil {
		notConfiguredError(diags)
		return false
	}
	return true
}

// dataSourceBase is embedded by every data source, as resourceBase is by
// every resource. Data sources read through no cache.
type dataSourceBase struct {
	client *client.Client
	// caches are the reads this process shares with the resources.
	caches *refreshCaches
}

// Configure takes the API client and the caches the provider's Configure
// put into ProviderData.
func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	b.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
	b.caches = cachesFromProviderData(req.ProviderData)
}

// configured reports whether the data source has an API client, adding the
// not-configured error to diags when it has none.
func (b *dataSourceBase) configured(diags *diag.Diagnostics) bool {
	if b.client == nil {
		notConfiguredError(diags)
		return false
	}
	return true
}
