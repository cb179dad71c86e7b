package cipher

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
)

// krupteinRecord is the DER SEQUENCE kruptein stores for an AEAD cipher,
// fields in the order of kruptein's ASN.1 schema. Ct, Hmac and AAD hold the
// ASCII text of base64 strings; IV, Salt and At hold raw bytes.
type krupteinRecord struct {
	Ct   []byte
	Hmac []byte
	IV   []byte
	Salt []byte
	At   []byte
	AAD  []byte
}

var errNotKrupteinDER = errors.New("not the DER of a SEQUENCE of six OCTET STRINGs")

func (r *krupteinRecord) marshal() ([]byte, error) {
	return asn1.Marshal(*r)
}

// parseKrupteinRecord decodes raw, which must be exactly the canonical DER
// of a krupteinRecord with kruptein's field sizes for aes-256-gcm.
func parseKrupteinRecord(raw []byte) (*krupteinRecord, error) {
	var r krupteinRecord
	// encoding/asn1's errors describe Go types, not the input: say what
	// was expected instead.
	rest, err := asn1.Unmarshal(raw, &r)
	if err != nil {
		return nil, errNotKrupteinDER
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("trailing data after the DER record (%d bytes)", len(rest))
	}
	// encoding/asn1 accepts extra elements at the end of a SEQUENCE;
	// re-encoding rejects them and anything else that is not canonical.
	if der, err := r.marshal(); err != nil || !bytes.Equal(der, raw) {
		return nil, errors.New("DER record has extra or non-canonical elements")
	}
	for _, f := range []struct {
		name      string
		got, want int
	}{
		{"iv", len(r.IV), krupteinIVSize},
		{"salt", len(r.Salt), krupteinSaltSize},
		{"at", len(r.At), krupteinTagSize},
		{"hmac", len(r.Hmac), krupteinMACLen},
	} {
		if f.got != f.want {
			return nil, fmt.Errorf("%s field is %d bytes, want %d", f.name, f.got, f.want)
		}
	}
	return &r, nil
}
