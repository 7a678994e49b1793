package override

import (
	"strings"
	"testing"
)

type props struct {
	Name    *string
	Enabled *bool
	Tags    []string
}

func ptr[T any](v T) *T { return &v }

func TestMerge(t *testing.T) {
	decided := &props{Name: ptr("pool")}
	if err := Merge(decided, &props{Enabled: ptr(true), Tags: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if *decided.Name != "pool" || decided.Enabled == nil || !*decided.Enabled || len(decided.Tags) != 1 {
		t.Errorf("merged %+v", decided)
	}
	if err := Merge(decided, (*props)(nil)); err != nil {
		t.Errorf("nil extra: %v", err)
	}
}

func TestMergeRefusesWhatTheConstructDecided(t *testing.T) {
	decided := &props{Name: ptr("pool"), Enabled: ptr(false)}
	err := Merge(decided, &props{Name: ptr("other"), Enabled: ptr(true), Tags: []string{"a"}})
	if err == nil || !strings.Contains(err.Error(), "Enabled, Name:") {
		t.Fatalf("err %v, want one naming Enabled and Name", err)
	}
	if *decided.Name != "pool" || *decided.Enabled || decided.Tags != nil {
		t.Errorf("refused merge changed %+v", decided)
	}
}
