package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/internal/smoke"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/scratch"
	"github.com/portcullis-cdk/portcullis/internal/util/procgroup"
)

// recipeDoc holds the recipe, recipeSection its heading.
const (
	recipeDoc     = "docs/make-it-yours.md"
	recipeSection = "## Add a route, its handler and its table"
)

// TestRecipeAddsARoute follows the route recipe of docs/make-it-yours.md
// in a scratch copy of the repository, block by block as the page shows
// them, then runs what `make dev` runs there (cdk synth of the dev stage,
// then cmd/dev on its template; TestMakeDevStage checks those are make
// dev's commands) and calls the new route: the new function, built from
// the copy, answers with the item the test put in the new table, which it
// reads through the grant the recipe adds.
func TestRecipeAddsARoute(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes a stage and starts the local stack")
	}
	dir, root := scratch.Copy(t)
	edits, err := recipeEdits(filepath.Join(root, recipeDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if err := e.Apply(dir); err != nil {
			t.Fatalf("%s: %v", recipeDoc, err)
		}
	}
	bin := scratch.LinkTools(t, dir, root)
	// The web app's libraries stay in the checkout: esbuild finds them
	// through NODE_PATH, as Node does.
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"NODE_PATH="+filepath.Join(root, "node_modules"), "CDK_VALIDATION=false")

	stack := contract.Project + "-dev"
	started := time.Now()
	synth := exec.Command(filepath.Join(bin, "cdk"), "synth", "--quiet", "-c", "stage=dev", stack)
	synth.Dir, synth.Env = dir, env
	if out, err := synth.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth in the scratch copy: %v\n%s", err, out)
	}
	t.Logf("synthesized %s in %.1fs", stack, time.Since(started).Seconds())

	info := startDev(t, dir, env, filepath.Join("cdk.out", stack+".template.json"))
	t.Logf("the local stack answered %.1fs after the recipe", time.Since(started).Seconds())

	ctx := t.Context()
	tokens, err := smoke.NewAuthenticator(info.UserPoolID).SRP(ctx, stackinfo.CognitoClient(info), info.SPAClientID, info.TestUser.Username, info.TestUser.Password, "")
	if err != nil {
		t.Fatalf("signing in the test user: %v", err)
	}
	user, err := stackinfo.CognitoClient(info).GetUser(ctx, &cip.GetUserInput{AccessToken: &tokens.Access})
	if err != nil {
		t.Fatal(err)
	}
	var sub string
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == userattr.Sub {
			sub = aws.ToString(a.Value)
		}
	}
	putNote(t, info, sub, "written by the recipe test")

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(info.APIURL, "/")+"/notes", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.Access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	const want = `{"items":[{"id":"01RECIPE","text":"written by the recipe test"}]}`
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != want {
		t.Errorf("GET /notes = %d %s, want 200 %s", resp.StatusCode, body, want)
	}
}

// recipeEdits reads the Go blocks of the recipe's section: each starts
// with "// new file <path>" or "// <path>, after the line with `<text>`",
// and the rest of the block is the file or the lines to insert.
func recipeEdits(doc string) ([]scratch.Edit, error) {
	raw, err := os.ReadFile(doc)
	if err != nil {
		return nil, err
	}
	_, section, ok := strings.Cut(string(raw), "\n"+recipeSection+"\n")
	if !ok {
		return nil, fmt.Errorf("%s has no %q", doc, recipeSection)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	newFile := regexp.MustCompile("^// new file (\\S+)$")
	after := regexp.MustCompile("^// (\\S+), after the line with `(.+)`$")
	var edits []scratch.Edit
	for _, block := range regexp.MustCompile("(?s)\n```go\n(.*?)```\n").FindAllStringSubmatch(section, -1) {
		head, text, _ := strings.Cut(block[1], "\n")
		if m := newFile.FindStringSubmatch(head); m != nil {
			edits = append(edits, scratch.Edit{Path: m[1], Text: text})
		} else if m := after.FindStringSubmatch(head); m != nil {
			edits = append(edits, scratch.Edit{Path: m[1], After: m[2], Text: text})
		} else {
			return nil, fmt.Errorf("%s: a block of %q does not say where it goes: %q", doc, recipeSection, head)
		}
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("%s: no Go block in %q", doc, recipeSection)
	}
	return edits, nil
}

// startDev runs cmd/dev of the scratch copy on template, on free ports,
// until the test ends, and returns what it wrote to -info once it is
// ready.
func startDev(t *testing.T, dir string, env []string, template string) stackinfo.Info {
	t.Helper()
	tmp := t.TempDir()
	infoPath := filepath.Join(tmp, "stack.json")
	dev := exec.Command("go", "run", "./cmd/dev", "-template", template, "-info", infoPath,
		"-api-port", "0", "-cognito-port", "0", "-identity-port", "0", "-web-port", "0",
		"-web-dir", filepath.Join(tmp, "web"), "-build-dir", filepath.Join(tmp, "build"), "-watch=false", "-quiet")
	dev.Dir, dev.Env = dir, env
	log, err := os.Create(filepath.Join(tmp, "dev.log"))
	if err != nil {
		t.Fatal(err)
	}
	dev.Stdout, dev.Stderr = log, log
	// go run's child is the command: a process group of its own lets the
	// test interrupt both, as Ctrl-C does.
	dev.SysProcAttr = procgroup.Attr()
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- dev.Wait() }()
	t.Cleanup(func() {
		procgroup.Signal(dev.Process, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			procgroup.Kill(dev.Process)
			<-exited
			t.Errorf("make dev did not stop on Ctrl-C within 30s")
		}
	})
	deadline := time.After(5 * time.Minute)
	for {
		if info, err := stackinfo.Read(infoPath); err == nil {
			return info
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("cmd/dev stopped before it was ready: %v\n%s", err, out)
		case <-deadline:
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("cmd/dev not ready within 5 minutes:\n%s", out)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// putNote writes a note of owner into the new table with the stack's
// admin key, the way a deployed stage's operator could.
func putNote(t *testing.T, info stackinfo.Info, owner, text string) {
	t.Helper()
	db := dynamodb.New(dynamodb.Options{
		Region:       info.Region,
		BaseEndpoint: aws.String(info.DynamoDBEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(info.AdminAccessKeyID, info.AdminSecretAccessKey, ""),
	})
	ctx := context.Background()
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var table string
	for _, name := range tables.TableNames {
		if strings.Contains(strings.ToLower(name), "notes") {
			if table != "" {
				t.Fatalf("two notes tables: %s and %s", table, name)
			}
			table = name
		}
	}
	if table == "" {
		b, _ := json.Marshal(tables.TableNames)
		t.Fatalf("no notes table among %s", b)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]ddbtypes.AttributeValue{
		"owner": &ddbtypes.AttributeValueMemberS{Value: owner},
		"id":    &ddbtypes.AttributeValueMemberS{Value: "01RECIPE"},
		"text":  &ddbtypes.AttributeValueMemberS{Value: text},
	}}); err != nil {
		t.Fatal(err)
	}
}
