package devstack

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// dataStores are DynamoDB and S3 (dynalite and s3rver behind the SigV4 and
// IAM gates of localaws) and every role's policies, which those gates
// evaluate. It starts first: every other service's functions run with the
// key of their role. It reads the tables, the buckets and their CORS rules
// (the bucket's own, or the custom resource that sets them), and every
// role's policies; it takes the web app's origins from the wiring, which
// the photo bucket's CORS rules allow besides the template's.
var dataStores = service{read: readDataStores, start: startDataStores}

func readDataStores(t cfnTemplate, p *Plan) error {
	var err error
	if p.Roles, err = readRolePolicies(t); err != nil {
		return err
	}
	p.Tables = t.IDs("AWS::DynamoDB::Table")
	p.Buckets = t.IDs("AWS::S3::Bucket")
	for _, b := range t.OfType("AWS::S3::Bucket") {
		rules, err := readBucketCORS(b)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.ID(), err)
		}
		if len(rules) > 0 {
			if p.BucketCORS != nil {
				return fmt.Errorf("bucket %s: a second bucket with CORS rules; the local stack has one photo bucket", b.ID())
			}
			p.BucketCORS = rules
		}
	}
	if p.BucketCORS == nil {
		p.BucketCORS, err = readCORSResource(t)
	}
	return err
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
	if err := w.stack.SetBucketOrigins(ctx, w.appOrigins...); err != nil {
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
