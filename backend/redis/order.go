package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// call is a script to run with its keys and arguments.
type call struct {
	script *goredis.Script
	keys   []string
	args   []any
}

// runInOrder runs calls one after the other and returns their replies. On
// one server (or a Sentinel-managed one) they go in one pipeline, which the
// server runs in order: one round trip. On a cluster or a ring, whose
// pipelines run on each node at once, they run one at a time, so that the
// order holds (an owner index is written before the session it lists),
// and the first failure stops them: the commands not run are nil.
//
// A script the server has not cached (after a restart or SCRIPT FLUSH)
// fails in the pipeline with NOSCRIPT, having done nothing; it is then run
// again with EVAL.
func (s *Store) runInOrder(ctx context.Context, calls ...call) ([]*goredis.Cmd, error) {
	cmds := make([]*goredis.Cmd, len(calls))
	if _, ordered := s.c.(*goredis.Client); !ordered || len(calls) == 1 {
		for i, c := range calls {
			cmds[i] = c.script.Run(ctx, s.c, c.keys, c.args...)
			if err := cmds[i].Err(); err != nil && err != goredis.Nil {
				return cmds, err
			}
		}
		return cmds, nil
	}
	pipe := s.c.Pipeline()
	for i, c := range calls {
		cmds[i] = pipe.EvalSha(ctx, c.script.Hash(), c.keys, c.args...)
	}
	_, _ = pipe.Exec(ctx) // each command holds its own error
	var first error
	for i, c := range calls {
		if goredis.HasErrorPrefix(cmds[i].Err(), "NOSCRIPT") {
			cmds[i] = c.script.Eval(ctx, s.c, c.keys, c.args...)
		}
		if err := cmds[i].Err(); err != nil && err != goredis.Nil && first == nil {
			first = err
		}
	}
	return cmds, first
}
