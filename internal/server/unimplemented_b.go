package server

// Stubs owned by the policies helper (policies, rules, permission sets).
// Each is deleted from this file as it is implemented; the file is deleted
// when empty.

import (
	"net/http"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

func (s *Server) ListPermissionSets(w http.ResponseWriter, r *http.Request, params api.ListPermissionSetsParams) {
	notImplemented(w)
}
func (s *Server) UpsertPermissionSets(w http.ResponseWriter, r *http.Request) { notImplemented(w) }
func (s *Server) DeletePermissionSets(w http.ResponseWriter, r *http.Request, params api.DeletePermissionSetsParams) {
	notImplemented(w)
}
func (s *Server) DeletePermissionSet(w http.ResponseWriter, r *http.Request, permissionSetId api.PermissionSetID, params api.DeletePermissionSetParams) {
	notImplemented(w)
}
func (s *Server) GetPermissionSet(w http.ResponseWriter, r *http.Request, permissionSetId api.PermissionSetID) {
	notImplemented(w)
}
func (s *Server) ListPolicies(w http.ResponseWriter, r *http.Request, params api.ListPoliciesParams) {
	notImplemented(w)
}
func (s *Server) CreatePolicy(w http.ResponseWriter, r *http.Request, params api.CreatePolicyParams) {
	notImplemented(w)
}
func (s *Server) DeletePolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.DeletePolicyParams) {
	notImplemented(w)
}
func (s *Server) GetPolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID) {
	notImplemented(w)
}
func (s *Server) UpdatePolicy(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.UpdatePolicyParams) {
	notImplemented(w)
}
func (s *Server) ListRules(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.ListRulesParams) {
	notImplemented(w)
}
func (s *Server) CreateRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, params api.CreateRuleParams) {
	notImplemented(w)
}
func (s *Server) ReorderRules(w http.ResponseWriter, r *http.Request, policyId api.PolicyID) {
	notImplemented(w)
}
func (s *Server) DeleteRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID, params api.DeleteRuleParams) {
	notImplemented(w)
}
func (s *Server) GetRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID) {
	notImplemented(w)
}
func (s *Server) UpdateRule(w http.ResponseWriter, r *http.Request, policyId api.PolicyID, ruleId api.RuleID, params api.UpdateRuleParams) {
	notImplemented(w)
}
