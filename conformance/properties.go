package conformance

import (
	"io"
	"reflect"

	"github.com/seshgo/sesh/backend"
)

// properties are run in this order, each on a fresh backend. Their names
// are those of package backend's checklist.
var properties = []property{
	{name: "GetMissing", check: checkGetMissing},
	{name: "RoundTrip", check: checkRoundTrip},
	{name: "Unicode", check: checkUnicode},
	{name: "LargePayload", check: checkLargePayload},
	{name: "IDsVerbatim", check: checkIDsVerbatim},
	{name: "Overwrite", check: checkOverwrite},
	{name: "ExpiredInvisible", check: checkExpiredInvisible},
	{name: "ExpiryHonouredOnRead", check: checkExpiryHonouredOnRead},
	{name: "DefaultLifetime", check: checkDefaultLifetime},
	{name: "Attributes", check: checkAttributes},
	{name: "TokenRoundTrip", check: checkTokenRoundTrip},
	{name: "ZeroToken", check: checkZeroToken},
	{name: "TokenIsolation", check: checkTokenIsolation},
	{name: "CreateExisting", check: checkCreateExisting},
	{name: "UpdateMissing", check: checkUpdateMissing},
	{name: "UpdateAfterDestroy", check: checkUpdateAfterDestroy},
	{name: "TouchExtendsExpiry", check: checkTouchExtendsExpiry},
	{name: "TouchKeepsData", check: checkTouchKeepsData},
	{name: "TouchMissing", check: checkTouchMissing},
	{name: "DestroyIdempotent", check: checkDestroyIdempotent},
	{name: "NoAliasing", check: checkNoAliasing},
	{name: "Concurrent", check: checkConcurrent},
	{name: "ContextCancelled", check: checkContextCancelled},
	{name: "ContextDeadline", check: checkContextDeadline},
	{name: "ListerLiveOnly", check: checkListerLiveOnly, needs: implements[backend.Lister]},
	{name: "CounterCounts", check: checkCounterCounts, needs: implements[backend.Counter]},
	{name: "ClearerClears", check: checkClearerClears, needs: implements[backend.Clearer]},
	{name: "ListingsAgree", check: checkListingsAgree, needs: listsOrCounts},
	{name: "Conditional", check: checkConditional, needs: implements[backend.ConditionalUpdater]},
	{name: "ConditionalRace", check: checkConditionalRace, needs: implements[backend.ConditionalUpdater]},
	{name: "OwnersIndex", check: checkOwnersIndex, needs: implements[backend.Owners]},
	{name: "Close", check: checkClose, needs: implements[io.Closer]},
}

// implements says why a property of interface I does not apply to b.
func implements[I any](b backend.Backend) string {
	if _, ok := b.(I); ok {
		return ""
	}
	return "does not implement " + reflect.TypeFor[I]().String()
}

func listsOrCounts(b backend.Backend) string {
	if implements[backend.Lister](b) == "" || implements[backend.Counter](b) == "" {
		return ""
	}
	return "implements neither backend.Lister nor backend.Counter"
}
