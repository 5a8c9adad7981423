// Package scale holds the scale benchmarks of the provider: `terraform
// apply` and `terraform plan` of a configuration with many
// jitsudo_policy_rule resources against jitsudo-local, next to a baseline
// of as many terraform_data resources planned by the same terraform binary.
//
// The package has no code of its own; the benchmarks are in scale_test.go
// and run only when JITSUDO_SCALE=1 is set:
//
//	JITSUDO_SCALE=1 go test ./internal/scale/ -run '^$' -bench . -benchtime 1x -timeout 60m
//
// scripts/bench.sh runs them together with the Cedar benchmarks; the
// figures and how to read them are in BENCHMARKS.md.
package scale
