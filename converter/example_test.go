package converter_test

import (
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
)

// Values become payloads with Temporal's encodings, readable by every Temporal SDK.
func ExampleGetDefaultDataConverter() {
	dc := converter.GetDefaultDataConverter()
	for _, v := range []any{nil, []byte("raw"), map[string]int{"qty": 2}} {
		p, _ := dc.ToPayload(v)
		fmt.Printf("%s %q\n", p.GetMetadata()["encoding"], p.GetData())
	}
	// Output:
	// binary/null ""
	// binary/plain "raw"
	// json/plain "{\"qty\":2}"
}

// Encrypting and compressing every payload: the first codec is the outermost layer.
func ExampleNewCodecDataConverter() {
	key := []byte("an example key of thirty-two by!")
	encrypt, err := converter.NewAESGCMCodec(key, "key-1")
	if err != nil {
		panic(err)
	}
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), encrypt, converter.NewZlibCodec(converter.ZlibCodecOptions{}))
	p, _ := dc.ToPayload("card 4242 4242 4242 4242")
	fmt.Println(string(p.GetMetadata()["encoding"]), string(p.GetMetadata()["encryption-key-id"]))
	var back string
	_ = dc.FromPayload(p, &back)
	fmt.Println(back)
	// Output:
	// binary/encrypted key-1
	// card 4242 4242 4242 4242
}

// Errors travel as failures and come back as the same types, cause chain included.
func ExampleNewDefaultFailureConverter() {
	fc := converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{})
	sent := sundial.NewNonRetryableApplicationError("card declined", "CardDeclined", errors.New("insufficient funds"), "order-7")
	failure := fc.ErrorToFailure(sent)
	fmt.Println(failure.GetApplicationFailureInfo().GetType(), failure.GetCause().GetMessage())

	var received *sundial.ApplicationError
	if errors.As(fc.FailureToError(failure), &received) {
		var orderID string
		_ = received.Details(&orderID)
		fmt.Println(received.Type(), received.NonRetryable(), orderID)
	}
	// Output:
	// CardDeclined insufficient funds
	// CardDeclined true order-7
}
