package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

func testConcurrentWriters(t *testing.T, h Harness) {
	opts := store.DefaultOptions()
	opts.LockTimeout = time.Minute
	const writers, batches, size = 4, 3, 40
	stores := make([]store.Store, writers)
	for i := range stores {
		s, err := h.Open(t, t.Name(), opts) // one handle each, as separate processes would have
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches+writers)
	stop := make(chan struct{})
	// Readers see whole batches or nothing.
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := stores[r].View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
					tl, err := tx.Tally(ctx, store.Filter{})
					if err != nil {
						return err
					}
					// A batch adds size/2 or size events.
					if tl.Events%(size/2) != 0 {
						return fmt.Errorf("a reader saw %d events, part of a batch (batches add %d or %d)", tl.Events, size/2, size)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var ww sync.WaitGroup
	for w := range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for b := range batches {
				evs := make([]store.Event, size)
				for i := range evs {
					// Half the keys are shared by every writer's batch b.
					id := fmt.Sprintf("w%d-b%d-%d", w, b, i)
					if i%2 == 0 {
						id = fmt.Sprintf("shared-b%d-%d", b, i)
					}
					evs[i] = ev(id, "2015-03-01")
					evs[i].Fatalities = int64(w)
				}
				err := stores[w].Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					_, err := tx.Ingest(ctx, batch(fmt.Sprintf("w%d-b%d", w, b)), store.Events(evs...))
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
				}
			}
		}()
	}
	ww.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every batch is stored; each shared key was added once and updated by
	// every later writer that changed it.
	s := stores[0]
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		bs, err := tx.Batches(ctx)
		if err != nil {
			return err
		}
		if len(bs) != writers*batches {
			t.Errorf("%d batches stored, want %d", len(bs), writers*batches)
		}
		var added int64
		for _, b := range bs {
			added += b.Counts.Added
			if b.Counts.Total() != size {
				t.Errorf("batch %s counts %+v, want a total of %d", b.Hash, b.Counts, size)
			}
		}
		distinct := int64(batches * (size/2 + writers*size/2))
		if added != distinct {
			t.Errorf("batches added %d events in all, want %d distinct keys", added, distinct)
		}
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil || tl.Events != distinct {
			t.Errorf("Tally = %d events, %v; want %d", tl.Events, err, distinct)
		}
		return nil
	})
}

func testLocked(t *testing.T, h Harness) {
	a := open(t, h, store.DefaultOptions())
	short := store.DefaultOptions()
	short.LockTimeout = 300 * time.Millisecond
	b, err := h.Open(t, t.Name(), short)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ingest(t, a, batch("before"), ev("1", "2015-01-01"))

	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- a.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Ingest(ctx, batch("held"), store.Events(ev("2", "2015-01-02"))); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	start := time.Now()
	err = b.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, batch("blocked"), store.Events(ev("3", "2015-01-03")))
		return err
	})
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("Update while another writer holds the database = %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), "locked") {
		t.Errorf("ErrLocked error %q does not say the database is locked", err)
	}
	if waited := time.Since(start); waited < short.LockTimeout/2 {
		t.Errorf("Update gave up after %v, before the lock timeout %v", waited, short.LockTimeout)
	}
	// Readers do not wait for the writer, and see only committed data;
	// opening the database does not wait either.
	if n, _ := count(t, b); n != 1 {
		t.Errorf("a reader during another's write saw %d events, want the 1 committed", n)
	}
	if c, err := h.Open(t, t.Name(), short); err != nil {
		t.Errorf("Open while another writer holds the database = %v, want it open", err)
	} else {
		if n, _ := count(t, c); n != 1 {
			t.Errorf("a store opened during another's write saw %d events, want the 1 committed", n)
		}
		c.Close()
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ingest(t, b, batch("after"), ev("3", "2015-01-03"))
	if n, bs := count(t, b); n != 3 || bs != 3 {
		t.Errorf("after the lock was released: %d events, %d batches; want 3, 3", n, bs)
	}
}

func testDown(t *testing.T, h Harness) {
	opts := store.DefaultOptions()
	opts.ConnectTimeout = 2 * time.Second
	start := time.Now()
	s, err := h.OpenDown(t, opts)
	if err == nil {
		s.Close()
		t.Fatalf("OpenDown = a store, want ErrUnavailable")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("OpenDown = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("OpenDown error %q does not say the database is unavailable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("OpenDown took %v; the connect timeout is %v", d, opts.ConnectTimeout)
	}
}

func testCancel(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, batch("cancelled"), func() (*store.Event, error) {
			n++
			if n == 5000 {
				cancel()
			}
			if n > 20000 {
				return nil, io.EOF
			}
			e := ev(fmt.Sprint(n), "2015-01-01")
			return &e, nil
		})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled mid-ingest = %v, want context.Canceled", err)
	}
	if ev, b := count(t, s); ev != 0 || b != 0 {
		t.Errorf("after a cancelled ingest: %d events, %d batches; want none", ev, b)
	}
}
