// Package random serves the sample endpoint: GET /random returns a
// random number from 0 to 100 to any signed-in caller. It shows the smallest
// authorized route end to end: the token checks of httpapi and nothing else.
package random

import (
	"context"
	"math/rand/v2"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// Max is the largest number GET /random returns.
const Max = 100

// Number is the answer of GET /random.
type Number struct {
	RandomNumber int `json:"randomNumber"`
}

// Handler serves the random route.
type Handler struct {
	// Router is the function's routes; its Handle is the Lambda handler.
	*httpapi.Router
	intN func(int) int
}

// New returns the handler.
func New() *Handler {
	// The global math/rand/v2 source is initialized from the OS and safe for
	// concurrent use; the number is a sample, not a secret.
	h := &Handler{intN: rand.IntN}
	h.Router = httpapi.MustRouter(routes.Random, map[string]httpapi.HandlerFunc{"GET /random": h.random})
	return h
}

func (h *Handler) random(context.Context, *httpapi.Request) (httpapi.Response, error) {
	return httpapi.OK(Number{RandomNumber: h.intN(Max + 1)}), nil
}
