package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every resource has the timeouts attribute for create, update and delete,
// described in markdown.
func TestResourcesHaveTimeouts(t *testing.T) {
	ctx := context.Background()
	for _, newResource := range (&jitsudoProvider{}).Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "jitsudo"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		a, ok := resp.Schema.Attributes["timeouts"].(schema.SingleNestedAttribute)
		if !ok {
			t.Errorf("%s: no timeouts attribute", meta.TypeName)
			continue
		}
		if !a.Optional || a.Required || a.Computed || a.MarkdownDescription == "" {
			t.Errorf("%s: timeouts must be optional, not computed, with a markdown description", meta.TypeName)
		}
		if _, ok := a.CustomType.(timeouts.Type); !ok {
			t.Errorf("%s: timeouts is of type %T, not timeouts.Type", meta.TypeName, a.CustomType)
		}
		for _, op := range []string{"create", "update", "delete"} {
			s, ok := a.Attributes[op].(schema.StringAttribute)
			if !ok || !strings.Contains(s.MarkdownDescription, "Defaults to `20m`") {
				t.Errorf("%s: timeouts.%s missing or without its default in the description", meta.TypeName, op)
			}
		}
		if _, ok := a.Attributes["read"]; ok {
			t.Errorf("%s: timeouts.read is set; reads are bounded by request_timeout", meta.TypeName)
		}
		if d := resp.Schema.ValidateImplementation(ctx); d.HasError() {
			t.Errorf("%s: %v", meta.TypeName, d)
		}
	}
}

func TestWithTimeout(t *testing.T) {
	ctx := context.Background()
	value := func(create string) timeouts.Value {
		v := nullTimeouts(ctx)
		o, d := types.ObjectValue(v.AttributeTypes(ctx), map[string]attr.Value{
			"create": types.StringValue(create), "update": types.StringNull(), "delete": types.StringNull(),
		})
		if d.HasError() {
			t.Fatal(d)
		}
		return timeouts.Value{Object: o}
	}
	deadlineIn := func(ctx context.Context) time.Duration {
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatal("no deadline")
		}
		return time.Until(dl)
	}

	var diags diag.Diagnostics
	c, cancel := withTimeout(ctx, nullTimeouts(ctx).Create, &diags)
	defer cancel()
	if d := deadlineIn(c); diags.HasError() || d > defaultOperationTimeout || d < defaultOperationTimeout-time.Minute {
		t.Errorf("null timeouts: deadline in %s (%v), want the default %s", d, diags, defaultOperationTimeout)
	}

	c, cancel = withTimeout(ctx, value("5m").Create, &diags)
	defer cancel()
	if d := deadlineIn(c); diags.HasError() || d > 5*time.Minute || d < 4*time.Minute {
		t.Errorf("create = 5m: deadline in %s (%v)", d, diags)
	}
	// The update timeout is null: the default.
	c, cancel = withTimeout(ctx, value("5m").Update, &diags)
	defer cancel()
	if d := deadlineIn(c); d < defaultOperationTimeout-time.Minute {
		t.Errorf("update unset: deadline in %s, want the default", d)
	}

	c, cancel = withTimeout(ctx, value("1ms").Create, &diags)
	defer cancel()
	<-c.Done()
	err := context.Cause(c)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timeout of 1ms (the resource's timeouts attribute)") {
		t.Errorf("cause = %v, want the operation's timeout, matching context.DeadlineExceeded", err)
	}

	// An unparseable value (the validator rejects it earlier) is reported
	// and the default applies.
	diags = nil
	c, cancel = withTimeout(ctx, value("soon").Create, &diags)
	defer cancel()
	if d := deadlineIn(c); !diags.HasError() || d < defaultOperationTimeout-time.Minute {
		t.Errorf("create = soon: deadline in %s, diagnostics %v", d, diags)
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{20 * time.Minute: "20m", 2 * time.Hour: "2h", 90 * time.Second: "1m30s"} {
		if got := durationString(d); got != want {
			t.Errorf("durationString(%s) = %q, want %q", d, got, want)
		}
	}
}
