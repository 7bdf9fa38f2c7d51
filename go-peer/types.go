package main

// The argument and reply types a real Go service has, for rpcbench's interoperability tests:
// the Types service echoes them (server side), and `go-peer types` sends them to an rpcbench
// server that echoes what it decoded and checks every value came back exactly (client side).

import (
	"context"
	"encoding/gob"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"time"
)

type Inner struct {
	A int
	B string
}

type Item struct {
	Name string
	Qty  int
}

type Base struct {
	ID  int64
	Tag string
}

// Nested holds every kind the tests exchange; hidden is unexported, so gob skips it.
type Nested struct {
	Base
	P       *Inner
	Q       *Inner
	Items   []Item
	PItems  []*Item
	Grid    [][]int
	Raw     []byte
	M       map[string]int
	MI      map[string]Item
	IM      map[int]string
	Arr     [3]int16
	I64     int64
	I64Min  int64
	U64     uint64
	I8      int8
	U8      uint8
	U16     uint16
	F32     float32
	F64     float64
	Whole   float64
	NaN     float64
	NegZero float64
	Inf     float64
	NegInf  float64
	Zeros   []float64
	Flag    bool
	Text    string
	Empty   []int
	NilMap  map[string]int
	hidden  int
}

// Summary is a reply type different from the argument type.
type Summary struct {
	Items  int
	Keys   int
	Total  int64
	HasP   bool
	TextKB int
}

type Types int

func (t *Types) EchoNested(args Nested, reply *Nested) error {
	*reply = args
	return nil
}

func (t *Types) Summarize(args Nested, reply *Summary) error {
	reply.Items = len(args.Items) + len(args.PItems)
	reply.Keys = len(args.M) + len(args.MI) + len(args.IM)
	for _, item := range args.Items {
		reply.Total += int64(item.Qty)
	}
	reply.HasP = args.P != nil
	reply.TextKB = len(args.Text) / 1024
	return nil
}

// NilPointer answers a Nested whose pointer fields are nil.
func (t *Types) NilPointer(args int, reply *Nested) error {
	*reply = Nested{Base: Base{ID: int64(args)}, Text: "no pointers"}
	return nil
}

// EchoUint8 and EchoFloat echo single values of kinds a JavaScript number does not tell apart.
func (t *Types) EchoUint8(args uint8, reply *uint8) error {
	*reply = args
	return nil
}

func (t *Types) EchoFloat(args float64, reply *float64) error {
	*reply = args
	return nil
}

// sampleNested is the value `go-peer types` sends: extremes, NaN, -0, a nil pointer, 1 MiB of text.
func sampleNested() Nested {
	return Nested{
		Base:    Base{ID: math.MaxInt64, Tag: "base"},
		P:       &Inner{A: -7, B: "inner <&>"},
		Items:   []Item{{Name: "a", Qty: 1}, {Name: "", Qty: 0}, {Name: "ü", Qty: -3}},
		PItems:  []*Item{{Name: "p", Qty: 2}},
		Grid:    [][]int{{1, 2}, {}, {3}},
		Raw:     []byte{0, 1, 2, 255},
		M:       map[string]int{"one": 1, "zero": 0, "": -1},
		MI:      map[string]Item{"x": {Name: "x", Qty: 9}},
		IM:      map[int]string{-1: "minus one", 42: "answer"},
		Arr:     [3]int16{math.MinInt16, 0, math.MaxInt16},
		I64:     math.MaxInt64,
		I64Min:  math.MinInt64,
		U64:     math.MaxUint64,
		I8:      math.MinInt8,
		U8:      math.MaxUint8,
		U16:     math.MaxUint16,
		F32:     1.5,
		F64:     0.1,
		Whole:   3,
		NaN:     math.NaN(),
		NegZero: math.Copysign(0, -1),
		Inf:     math.Inf(1),
		NegInf:  math.Inf(-1),
		Zeros:   []float64{math.Copysign(0, -1), 0, 2},
		Flag:    true,
		Text:    strings.Repeat("héllo, 世界 🌍 ", 1<<20/20),
		Empty:   []int{},
		NilMap:  nil,
	}
}

// sameNested says where got differs from want: floats by their bits (NaN, -0), the rest as gob
// sees them (an empty slice and a nil one are the same on its wire).
func sameNested(want, got Nested) string {
	// gob leaves out a struct field equal to zero, and -0 == 0: Go's own peers get +0 back there
	// (inside a slice, or as a whole value, -0 travels).
	want.NegZero = 0
	floats := [][2]float64{{want.F64, got.F64}, {want.Whole, got.Whole}, {want.NaN, got.NaN},
		{want.NegZero, got.NegZero}, {want.Inf, got.Inf}, {want.NegInf, got.NegInf}}
	for i, pair := range floats {
		if math.Float64bits(pair[0]) != math.Float64bits(pair[1]) {
			return fmt.Sprintf("float %d: want %v, got %v", i, pair[0], pair[1])
		}
	}
	if len(want.Zeros) != len(got.Zeros) {
		return fmt.Sprintf("Zeros: want %v, got %v", want.Zeros, got.Zeros)
	}
	for i := range want.Zeros {
		if math.Float64bits(want.Zeros[i]) != math.Float64bits(got.Zeros[i]) {
			return fmt.Sprintf("Zeros[%d]: want %v, got %v", i, want.Zeros[i], got.Zeros[i])
		}
	}
	if (want.P == nil) != (got.P == nil) || (want.P != nil && *want.P != *got.P) {
		return fmt.Sprintf("P: want %v, got %v", want.P, got.P)
	}
	if got.Q != nil {
		return fmt.Sprintf("Q: want <nil>, got %v", *got.Q)
	}
	if len(want.PItems) != len(got.PItems) {
		return fmt.Sprintf("PItems: want %d, got %d", len(want.PItems), len(got.PItems))
	}
	for i := range want.PItems {
		if *want.PItems[i] != *got.PItems[i] {
			return fmt.Sprintf("PItems[%d]: want %v, got %v", i, *want.PItems[i], *got.PItems[i])
		}
	}
	if want.Text != got.Text {
		return fmt.Sprintf("Text: %d bytes sent, %d came back, or different", len(want.Text), len(got.Text))
	}
	w, g := want, got
	for _, n := range []*Nested{&w, &g} {
		n.F64, n.Whole, n.NaN, n.NegZero, n.Inf, n.NegInf, n.Zeros, n.P, n.PItems, n.Text = 0, 0, 0, 0, 0, 0, nil, nil, nil, ""
		if len(n.Empty) == 0 {
			n.Empty = nil
		}
		for i := range n.Grid {
			if len(n.Grid[i]) == 0 {
				n.Grid[i] = nil
			}
		}
	}
	if !reflect.DeepEqual(w, g) {
		return fmt.Sprintf("want %+v, got %+v", w, g)
	}
	return ""
}

// runTypes calls Types.EchoNested (or -method) on an rpcbench server with sampleNested() and
// checks the reply; it prints {"ok":bool,"mismatch":…,"error":…}.
func runTypes(args []string) int {
	fs := flag.NewFlagSet("types", flag.ExitOnError)
	addr := fs.String("addr", "", "tcp@… or http@…")
	method := fs.String("method", "Types.EchoNested", "a method that answers its argument")
	calls := fs.Int("n", 2, "calls on one connection, each checked")
	_ = fs.Parse(args)
	client, err := XDial(*addr, &Option{CodecType: GobType, ConnectTimeout: 10 * time.Second, Settle: 5 * time.Millisecond})
	if err != nil {
		printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
		return 0
	}
	defer client.Close()
	want := sampleNested()
	for i := 0; i < *calls; i++ {
		var got Nested
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := client.Call(ctx, *method, want, &got)
		cancel()
		if err != nil {
			printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
			return 0
		}
		if mismatch := sameNested(want, got); mismatch != "" {
			printJSON(map[string]interface{}{"ok": false, "mismatch": mismatch})
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "types: every reply equals what was sent")
	printJSON(map[string]interface{}{"ok": true})
	return 0
}

// runTypesJSON is what `rpcbench call --go-types` must match: Go's client decodes -args with
// encoding/json into the argument type, calls -method over gob, and prints json.Marshal of the
// reply as {"ok":true,"json":"…"}.
func runTypesJSON(args []string) int {
	fs := flag.NewFlagSet("types-json", flag.ExitOnError)
	addr := fs.String("addr", "", "tcp@… or http@…")
	method := fs.String("method", "Types.EchoNested", "Types.EchoNested or Types.Summarize")
	input := fs.String("args", "{}", "the arguments as JSON")
	_ = fs.Parse(args)
	var argv Nested
	if err := json.Unmarshal([]byte(*input), &argv); err != nil {
		printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
		return 0
	}
	client, err := XDial(*addr, &Option{CodecType: GobType, ConnectTimeout: 10 * time.Second, Settle: 5 * time.Millisecond})
	if err != nil {
		printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
		return 0
	}
	defer client.Close()
	var reply interface{} = &Nested{}
	if *method == "Types.Summarize" {
		reply = &Summary{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Call(ctx, *method, argv, reply); err != nil {
		printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
		return 0
	}
	text, err := json.Marshal(reply)
	if err != nil {
		printJSON(map[string]interface{}{"ok": false, "error": err.Error()})
		return 0
	}
	printJSON(map[string]interface{}{"ok": true, "json": string(text)})
	return 0
}

// Shape is what WithAny.V holds: a concrete type sent inside an interface value.
type Shape struct{ Sides int }

// WithAny has an interface field, which rpcbench's gob does not decode.
type WithAny struct {
	V    interface{}
	Note string
}

// Interface answers an interface value holding a Shape (args > 0), or a nil one.
func (t *Types) Interface(args int, reply *WithAny) error {
	if args > 0 {
		reply.V = Shape{Sides: args}
	}
	reply.Note = "after the interface"
	return nil
}

func init() {
	gob.Register(Shape{})
}

// WithComplex has a complex field, which rpcbench's gob does not decode.
type WithComplex struct {
	C    complex128
	Note string
}

// Complex answers a complex number (args > 0), or leaves it zero, which gob then does not send.
func (t *Types) Complex(args int, reply *WithComplex) error {
	if args > 0 {
		reply.C = complex(float64(args), -1)
	}
	reply.Note = "after the complex"
	return nil
}

// SelfGob and SelfBinary marshal themselves, by the two methods gob uses in that order: gob sends
// their values as the bytes those methods make. SelfText has MarshalText, which gob does not use
// (its wire format names a TextMarshaler kind, but Go never sends it): a plain struct.
type SelfGob struct{ N int }
type SelfBinary struct{ N int }
type SelfText struct{ N int }

func (s SelfGob) GobEncode() ([]byte, error) { return []byte(fmt.Sprint("gob:", s.N)), nil }
func (s *SelfGob) GobDecode(b []byte) error {
	_, err := fmt.Sscan(strings.TrimPrefix(string(b), "gob:"), &s.N)
	return err
}
func (s SelfBinary) MarshalBinary() ([]byte, error) { return []byte{byte(s.N)}, nil }
func (s *SelfBinary) UnmarshalBinary(b []byte) error {
	if len(b) != 1 {
		return fmt.Errorf("SelfBinary: %d bytes", len(b))
	}
	s.N = int(b[0])
	return nil
}
func (s SelfText) MarshalText() ([]byte, error) { return []byte(fmt.Sprint(s.N)), nil }
func (s *SelfText) UnmarshalText(b []byte) error {
	_, err := fmt.Sscan(string(b), &s.N)
	return err
}

// WithMarshaled holds one value of each kind that marshals itself, by pointer so that a nil one
// is left out (gob names no type for them), and a time.Time, the one most services have, by value
// (left out when zero).
type WithMarshaled struct {
	G    *SelfGob
	B    *SelfBinary
	T    *SelfText
	At   time.Time
	Note string
}

// Marshaled sets the field args names (1 G, 2 B, 3 T, 4 At; 0 none).
func (t *Types) Marshaled(args int, reply *WithMarshaled) error {
	switch args {
	case 1:
		reply.G = &SelfGob{N: 7}
	case 2:
		reply.B = &SelfBinary{N: 7}
	case 3:
		reply.T = &SelfText{N: 7}
	case 4:
		reply.At = time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	}
	reply.Note = "after the marshaled value"
	return nil
}
