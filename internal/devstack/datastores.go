package devstack

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// dataStores are DynamoDB and S3 (dynalite and s3rver behind the SigV4 and
// IAM gates of localaws) and every role's policies, which those gates
// evaluate. It starts first: every other service's functions run with the
// key of their role.
var dataStores = service{read: readDataStores, start: startDataStores}

func readDataStores(t cfnTemplate, p *Plan) error {
	var err error
	if p.Roles, err = readRolePolicies(t); err != nil {
		return err
	}
	for id, r := range t.Resources {
		switch r.Type {
		case "AWS::DynamoDB::Table":
			p.Tables = append(p.Tables, id)
		case "AWS::S3::Bucket":
			p.Buckets = append(p.Buckets, id)
			rules, err := readBucketCORS(r)
			if err != nil {
				return fmt.Errorf("bucket %s: %w", id, err)
			}
			if len(rules) > 0 {
				if p.BucketCORS != nil {
					return fmt.Errorf("bucket %s: a second bucket with CORS rules; the local stack has one photo bucket", id)
				}
				p.BucketCORS = rules
			}
		}
	}
	sort.Strings(p.Tables)
	sort.Strings(p.Buckets)
	return nil
}

func startDataStores(ctx context.Context, w *wiring) error {
	dataDir := ""
	if w.opts.StateDir != "" {
		dataDir = filepath.Join(w.opts.StateDir, "aws")
	}
	servers, err := localaws.StartIn(ctx, dataDir)
	if err != nil {
		return fmt.Errorf("starting DynamoDB and S3: %w", err)
	}
	w.stack.aws = servers
	w.stack.bucketCORS = w.plan.BucketCORS
	if err := w.stack.SetBucketOrigins(ctx); err != nil {
		return err
	}
	servers.SetLog(w.log)
	if err := servers.SetFaults("dynamodb", w.opts.DynamoDBFaults); err != nil {
		return err
	}
	if err := servers.SetFaults("s3", w.opts.S3Faults); err != nil {
		return err
	}
	w.getenv = w.stack.getenv()
	if w.roleKeys, err = w.stack.authorize(w.plan, w.getenv); err != nil {
		return err
	}
	w.info.DynamoDBEndpoint = servers.DynamoDBEndpoint
	w.info.S3Endpoint = servers.S3Endpoint
	w.info.TodosTable = schema.Todos.Name
	w.info.PhotosBucket = localaws.Bucket
	w.info.AdminAccessKeyID = localaws.AccessKeyID
	w.info.AdminSecretAccessKey = localaws.SecretAccessKey
	return nil
}
