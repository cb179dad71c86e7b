package main

import (
	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/postgres"
)

// openPostgres stores sessions in connect-pg-simple's "session" table,
// created if missing, with sesh's owner columns for the "your sessions"
// page (Express ignores them).
func openPostgres(url string) (backend.Backend, string, error) {
	store, err := postgres.New(postgres.Options{URL: url, CreateTable: true, Owners: true})
	if err != nil {
		return nil, "", err
	}
	return store, `PostgreSQL backend, table "session"`, nil
}
