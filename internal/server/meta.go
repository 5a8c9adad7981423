package server

import (
	"net/http"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// GetHealth answers {"status": "ok"} while the server runs.
func (s *Server) GetHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.Health{Status: api.HealthStatusOk})
}

// GetDebugRequests answers the request counts since start, per route
// pattern and per status. It shows no tenants, keys or bodies.
func (s *Server) GetDebugRequests(w http.ResponseWriter, r *http.Request) {
	total, routes, statuses := s.mw.counts.snapshot()
	writeJSON(w, http.StatusOK, api.RequestCounts{Total: total, Routes: routes, Statuses: statuses})
}

// GetCedarSchema answers the Cedar schema rules are validated against:
// Options.CedarSchema, or the built-in default.
func (s *Server) GetCedarSchema(w http.ResponseWriter, r *http.Request) {
	text := s.opts.CedarSchema
	if text == "" {
		text = cedar.DefaultSchema()
	}
	writeObject(w, http.StatusOK, api.CedarSchema{Schema: text, Format: api.CedarSchemaFormatCedarschema})
}
