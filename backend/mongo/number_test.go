package mongo

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
)

// TestNumbersRoundTrip stores numbers with FormatDocument through the
// server and reads them back: each comes back as written, in the BSON
// type the Node.js driver would use where it can, or the write fails with
// backend.ErrInvalidData and stores nothing.
func TestNumbersRoundTrip(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{Format: FormatDocument, AutoRemove: AutoRemoveDisabled})
	exp := time.Now().Add(time.Hour)
	negZero := "-0"
	if env.isFerretDB(t) {
		negZero = "0" // FerretDB stores -0 as 0
	}
	stored := []struct {
		json string    // as written
		back string    // as read back
		typ  bson.Type // as stored
	}{
		{"1541815603606036481", "1541815603606036481", bson.TypeInt64},
		{"9007199254740993", "9007199254740993", bson.TypeInt64},
		{"-9007199254740993", "-9007199254740993", bson.TypeInt64},
		{"9223372036854775807", "9223372036854775807", bson.TypeInt64},
		{"4611686018427387904", "4611686018427387904", bson.TypeInt64}, // 2⁶², which JavaScript prints 4611686018427388000
		{"9007199254740992", "9007199254740992", bson.TypeDouble},
		{"2592000000", "2592000000", bson.TypeDouble},
		{"1e21", "1e+21", bson.TypeDouble},
		{"-0", negZero, bson.TypeDouble},
		{"0", "0", bson.TypeInt32},
		{"42", "42", bson.TypeInt32},
		{"1.0", "1", bson.TypeInt32},
		{"-2147483648", "-2147483648", bson.TypeInt32},
		{"0.1", "0.1", bson.TypeDouble},
		{"1.5e-7", "1.5e-7", bson.TypeDouble},
		{"5e-324", "5e-324", bson.TypeDouble},
		{"1.7976931348623157e308", "1.7976931348623157e+308", bson.TypeDouble},
	}
	for i, tt := range stored {
		t.Run(tt.json, func(t *testing.T) {
			id := "n" + string(rune('a'+i))
			data := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"n":` + tt.json + `}`)
			if _, err := s.Create(ctxT(t), backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
				t.Fatal(err)
			}
			v := env.raw(t, id).Lookup("session", "n")
			if v.Type != tt.typ {
				t.Errorf("stored as a BSON %v, want %v", v.Type, tt.typ)
			}
			if tt.json == "-0" && negZero == "-0" && !math.Signbit(v.Double()) {
				t.Errorf("stored %v, want negative zero", v)
			}
			rec, _, err := s.Get(ctxT(t), id)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(string(data), `"n":`+tt.json, `"n":`+tt.back, 1)
			if string(rec.Data) != want {
				t.Errorf("read back\n got %s\nwant %s", rec.Data, want)
			}
		})
	}
	// Numbers no BSON number holds exactly are refused, and a refused
	// write changes nothing.
	before := session(exp, 1)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "refused", Data: before, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1e400", "-1e400", "18446744073709551617", "-9223372036854775809", "1180591620717411303424", "0.10000000000000000001", "1e-400"} {
		data := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"n":` + n + `}`)
		_, err := s.Update(ctxT(t), backend.Record{ID: "refused", Data: data, Expires: exp})
		if !errors.Is(err, backend.ErrInvalidData) || !strings.Contains(err.Error(), "session.n") {
			t.Errorf("Update with %s = %v, want ErrInvalidData naming session.n", n, err)
		}
		if _, err := s.Create(ctxT(t), backend.Record{ID: "new-" + n, Data: data, Expires: exp}); !errors.Is(err, backend.ErrInvalidData) {
			t.Errorf("Create with %s = %v, want ErrInvalidData", n, err)
		}
		if env.raw(t, "new-"+n) != nil {
			t.Errorf("a refused Create with %s stored a document", n)
		}
	}
	if rec, _, _ := s.Get(ctxT(t), "refused"); string(rec.Data) != string(before) {
		t.Errorf("refused writes changed the session to %s", rec.Data)
	}
}

// Numbers an Express application stored read back as they are, int64 and
// doubles of any value included.
func TestReadExpressNumbers(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	negZero := "-0"
	if env.isFerretDB(t) {
		negZero = "0" // FerretDB stores -0 as 0
	}
	env.insert(t, bson.D{{Key: "_id", Value: "x"}, {Key: "expires", Value: time.Now().Add(time.Hour)}, {Key: "session", Value: bson.D{
		{Key: "long", Value: int64(1541815603606036481)},
		{Key: "big", Value: float64(1541815603606036481)},
		{Key: "neg0", Value: math.Copysign(0, -1)},
		{Key: "third", Value: 1.0 / 3},
	}}})
	rec, _, err := s.Get(ctxT(t), "x")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"long":1541815603606036481,"big":1541815603606036500,"neg0":` + negZero + `,"third":0.3333333333333333}`; string(rec.Data) != want {
		t.Errorf("Get\n got %s\nwant %s", rec.Data, want)
	}
}

func TestParseDecimal(t *testing.T) {
	same := [][]string{
		{"1", "1.0", "1e0", "10e-1", "0.1e1", "1.000e+00", "001"},
		{"-0", "-0.0", "-0e5"},
		{"0", "0.0", "0e-9"},
		{"1541815603606036481", "1.541815603606036481e18"},
		{"0.1", "1e-1", "0.10"},
	}
	for _, group := range same {
		first, ok := parseDecimal(group[0])
		if !ok {
			t.Fatalf("parseDecimal(%s) failed", group[0])
		}
		for _, text := range group[1:] {
			if d, ok := parseDecimal(text); !ok || d != first {
				t.Errorf("parseDecimal(%s) = %+v, want %+v as for %s", text, d, first, group[0])
			}
		}
	}
	for _, pair := range [][2]string{{"0", "-0"}, {"1", "10"}, {"0.1", "0.10000000000000000001"}, {"1541815603606036481", "1541815603606036500"}} {
		a, _ := parseDecimal(pair[0])
		b, _ := parseDecimal(pair[1])
		if a == b {
			t.Errorf("%s and %s parse to the same decimal %+v", pair[0], pair[1], a)
		}
	}
	if _, ok := parseDecimal("1e99999999999999999999"); ok {
		t.Error("an exponent beyond int parsed")
	}
}
