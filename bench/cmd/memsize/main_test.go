package main

import "testing"

// TestMeasure creates a few thousand sessions with each library: each
// holds something, and less than a few kilobytes.
func TestMeasure(t *testing.T) {
	for _, lib := range []string{"sesh", "scs"} {
		res, err := measure(lib, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if res.BytesPerSession < 50 || res.BytesPerSession > 5000 {
			t.Errorf("%s: %.0f bytes per session", lib, res.BytesPerSession)
		}
	}
	if _, err := measure("gorilla", 1); err == nil {
		t.Error("an unknown library was accepted")
	}
}
