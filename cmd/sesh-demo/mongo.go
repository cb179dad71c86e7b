package main

import (
	"context"
	"errors"

	"github.com/seshgo/sesh/backend"
)

func openMongo(ctx context.Context, uri string) (backend.Backend, string, error) {
	return nil, "", errors.New("the MongoDB backend is not wired in yet")
}
