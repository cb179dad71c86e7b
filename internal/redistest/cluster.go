package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cluster is a private Redis Cluster of masters without replicas.
type Cluster struct {
	// Nodes are the masters, each owning a third (for three) of the slots.
	Nodes []*Server
	// Addrs are the nodes' addresses.
	Addrs []string
}

// StartCluster starts n redis-server processes in cluster mode
// (--cluster-enabled yes), joins them with
// `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, and
// waits until every node reports cluster_state:ok with all 16384 slots
// assigned. n must be at least 3, redis-cli's minimum. The processes are
// stopped and their directories removed when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("redistest: a cluster needs at least 3 masters, not %d", n)
	}
	c := &Cluster{}
	for range n {
		s := newServer(t, []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000",
		})
		c.Nodes = append(c.Nodes, s)
		c.Addrs = append(c.Addrs, s.Addr)
	}
	// Start the processes concurrently: each takes a moment to come up.
	errs := make(chan error, n)
	for _, s := range c.Nodes {
		go func() { errs <- s.start() }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("redistest: starting a cluster node: %v", err)
		}
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	cli := exec.Command(cliBinary(t, c.Nodes[0].bin), args...)
	if out, err := cli.CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, s := range c.Nodes {
		if err := waitFor(30*time.Second, func() error { return clusterOK(s.Addr) }); err != nil {
			t.Fatalf("redistest: cluster node %s: %v\n%s", s.Addr, err, s.Log())
		}
	}
	return c
}

// clusterOK reports whether the node at addr sees a healthy cluster with
// every slot served.
func clusterOK(addr string) error {
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		return err
	}
	if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384") {
		return fmt.Errorf("CLUSTER INFO:\n%s", info)
	}
	return nil
}

// URL returns a URL naming the cluster as go-redis's ParseClusterURL reads
// it: the first node as the host, the others as addr parameters.
func (c *Cluster) URL() string {
	u := "redis://" + c.Addrs[0]
	for i, a := range c.Addrs[1:] {
		if i == 0 {
			u += "?"
		} else {
			u += "&"
		}
		u += "addr=" + a
	}
	return u
}

// Client returns a cluster client of the cluster, closed when the test
// ends.
func (c *Cluster) Client(t testing.TB) *goredis.ClusterClient {
	t.Helper()
	cc := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { cc.Close() })
	return cc
}
