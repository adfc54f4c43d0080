package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of the whole API. A test
// fails when a registered route is missing from it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the embedded document.
func OpenAPI() []byte { return openAPIDocument }

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
	return nil
}
