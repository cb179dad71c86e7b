package cipher

import "github.com/seshgo/sesh/backend"

// capability is a set of the optional backend interfaces.
type capability uint8

const (
	capSetIf capability = 1 << iota // backend.ConditionalSetter
	capAll                          // backend.Lister
	capLen                          // backend.Counter
	capClear                        // backend.Clearer
	capClose                        // io.Closer

	capAllOptional = capSetIf | capAll | capLen | capClear | capClose
)

// One type per non-empty combination of optional interfaces, named after
// the methods it adds: S SetIf, A All, N Len, C Clear, X Close. Each
// embeds *wrapped for the required methods and one part per optional
// method, all pointing at the same wrapped value.
type (
	wS struct {
		*wrapped
		*setIfPart
	}
	wA struct {
		*wrapped
		*allPart
	}
	wSA struct {
		*wrapped
		*setIfPart
		*allPart
	}
	wN struct {
		*wrapped
		*lenPart
	}
	wSN struct {
		*wrapped
		*setIfPart
		*lenPart
	}
	wAN struct {
		*wrapped
		*allPart
		*lenPart
	}
	wSAN struct {
		*wrapped
		*setIfPart
		*allPart
		*lenPart
	}
	wC struct {
		*wrapped
		*clearPart
	}
	wSC struct {
		*wrapped
		*setIfPart
		*clearPart
	}
	wAC struct {
		*wrapped
		*allPart
		*clearPart
	}
	wSAC struct {
		*wrapped
		*setIfPart
		*allPart
		*clearPart
	}
	wNC struct {
		*wrapped
		*lenPart
		*clearPart
	}
	wSNC struct {
		*wrapped
		*setIfPart
		*lenPart
		*clearPart
	}
	wANC struct {
		*wrapped
		*allPart
		*lenPart
		*clearPart
	}
	wSANC struct {
		*wrapped
		*setIfPart
		*allPart
		*lenPart
		*clearPart
	}
	wX struct {
		*wrapped
		*closePart
	}
	wSX struct {
		*wrapped
		*setIfPart
		*closePart
	}
	wAX struct {
		*wrapped
		*allPart
		*closePart
	}
	wSAX struct {
		*wrapped
		*setIfPart
		*allPart
		*closePart
	}
	wNX struct {
		*wrapped
		*lenPart
		*closePart
	}
	wSNX struct {
		*wrapped
		*setIfPart
		*lenPart
		*closePart
	}
	wANX struct {
		*wrapped
		*allPart
		*lenPart
		*closePart
	}
	wSANX struct {
		*wrapped
		*setIfPart
		*allPart
		*lenPart
		*closePart
	}
	wCX struct {
		*wrapped
		*clearPart
		*closePart
	}
	wSCX struct {
		*wrapped
		*setIfPart
		*clearPart
		*closePart
	}
	wACX struct {
		*wrapped
		*allPart
		*clearPart
		*closePart
	}
	wSACX struct {
		*wrapped
		*setIfPart
		*allPart
		*clearPart
		*closePart
	}
	wNCX struct {
		*wrapped
		*lenPart
		*clearPart
		*closePart
	}
	wSNCX struct {
		*wrapped
		*setIfPart
		*lenPart
		*clearPart
		*closePart
	}
	wANCX struct {
		*wrapped
		*allPart
		*lenPart
		*clearPart
		*closePart
	}
	wSANCX struct {
		*wrapped
		*setIfPart
		*allPart
		*lenPart
		*clearPart
		*closePart
	}
)

// withCapabilities returns w as a value that implements the optional
// interfaces in caps and no others.
func (w *wrapped) withCapabilities(caps capability) backend.Backend {
	s, a, n, c, x := (*setIfPart)(w), (*allPart)(w), (*lenPart)(w), (*clearPart)(w), (*closePart)(w)
	switch caps & capAllOptional {
	case capSetIf:
		return wS{w, s}
	case capAll:
		return wA{w, a}
	case capSetIf | capAll:
		return wSA{w, s, a}
	case capLen:
		return wN{w, n}
	case capSetIf | capLen:
		return wSN{w, s, n}
	case capAll | capLen:
		return wAN{w, a, n}
	case capSetIf | capAll | capLen:
		return wSAN{w, s, a, n}
	case capClear:
		return wC{w, c}
	case capSetIf | capClear:
		return wSC{w, s, c}
	case capAll | capClear:
		return wAC{w, a, c}
	case capSetIf | capAll | capClear:
		return wSAC{w, s, a, c}
	case capLen | capClear:
		return wNC{w, n, c}
	case capSetIf | capLen | capClear:
		return wSNC{w, s, n, c}
	case capAll | capLen | capClear:
		return wANC{w, a, n, c}
	case capSetIf | capAll | capLen | capClear:
		return wSANC{w, s, a, n, c}
	case capClose:
		return wX{w, x}
	case capSetIf | capClose:
		return wSX{w, s, x}
	case capAll | capClose:
		return wAX{w, a, x}
	case capSetIf | capAll | capClose:
		return wSAX{w, s, a, x}
	case capLen | capClose:
		return wNX{w, n, x}
	case capSetIf | capLen | capClose:
		return wSNX{w, s, n, x}
	case capAll | capLen | capClose:
		return wANX{w, a, n, x}
	case capSetIf | capAll | capLen | capClose:
		return wSANX{w, s, a, n, x}
	case capClear | capClose:
		return wCX{w, c, x}
	case capSetIf | capClear | capClose:
		return wSCX{w, s, c, x}
	case capAll | capClear | capClose:
		return wACX{w, a, c, x}
	case capSetIf | capAll | capClear | capClose:
		return wSACX{w, s, a, c, x}
	case capLen | capClear | capClose:
		return wNCX{w, n, c, x}
	case capSetIf | capLen | capClear | capClose:
		return wSNCX{w, s, n, c, x}
	case capAll | capLen | capClear | capClose:
		return wANCX{w, a, n, c, x}
	case capSetIf | capAll | capLen | capClear | capClose:
		return wSANCX{w, s, a, n, c, x}
	}
	return w
}
