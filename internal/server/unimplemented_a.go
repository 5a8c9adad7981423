package server

// Stubs owned by the platform helper (auth, middleware, discovery, AWS roles,
// roles, meta). Each is deleted from this file as it is implemented; the file
// is deleted when empty.

import (
	"context"
	"net/http"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

type middleware struct{}

func (s *Server) init(ctx context.Context) error { return nil }

func (s *Server) Handler() http.Handler { return api.Handler(s) }

func notImplemented(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotImplemented, api.Error{Code: "not_implemented", Message: "not implemented"})
}

func (s *Server) GetDebugRequests(w http.ResponseWriter, r *http.Request) { notImplemented(w) }
func (s *Server) GetHealth(w http.ResponseWriter, r *http.Request)        { notImplemented(w) }
func (s *Server) GetCedarSchema(w http.ResponseWriter, r *http.Request)   { notImplemented(w) }
func (s *Server) ListAwsRoles(w http.ResponseWriter, r *http.Request, params api.ListAwsRolesParams) {
	notImplemented(w)
}
func (s *Server) GetAwsRole(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID) {
	notImplemented(w)
}
func (s *Server) GetAwsRoleMapping(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID) {
	notImplemented(w)
}
func (s *Server) SetAwsRoleMapping(w http.ResponseWriter, r *http.Request, awsRoleId api.AwsRoleID, params api.SetAwsRoleMappingParams) {
	notImplemented(w)
}
func (s *Server) ListRoles(w http.ResponseWriter, r *http.Request, params api.ListRolesParams) {
	notImplemented(w)
}
