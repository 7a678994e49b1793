package stage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/util/weburl"
)

// DeployContext is the context key (`cdk deploy -c deploy=true`, which
// `make deploy` passes) that tells the app it is synthesizing for a
// deployment, so CheckDeployable runs before CloudFormation is called.
const DeployContext = "deploy"

// CheckDeployable reports every field of c that still holds a value shipped
// as a placeholder (a host reserved for examples, such as app.example.com):
// deploying it would point users at someone else's site or send email from
// an address no one verified. Synthesizing and testing such a stage is fine.
func (c Config) CheckDeployable() error {
	var fields []string
	placeholder := func(field string, urls []string) {
		for _, u := range urls {
			if weburl.IsPlaceholder(u) {
				fields = append(fields, fmt.Sprintf("%s (%s)", field, u))
				return
			}
		}
	}
	placeholder("CallbackURLs, also the API's and the photo bucket's CORS origins", c.CallbackURLs)
	placeholder("LogoutURLs", c.LogoutURLs)
	placeholder("ServerCallbackURLs", c.ServerCallbackURLs)
	if weburl.IsPlaceholderHost(c.Web.Domain) {
		fields = append(fields, fmt.Sprintf("Web.Domain (%s), Web.CertificateARN and Web.APICertificateARN", c.Web.Domain))
	}
	if e := c.Email; e != nil {
		if _, domain, _ := strings.Cut(e.From, "@"); weburl.IsPlaceholderHost(domain) {
			fields = append(fields, fmt.Sprintf("Email.From (%s)", e.From))
		}
		if id := e.VerifiedIdentity; id != "" {
			if _, domain, ok := strings.Cut(id, "@"); (ok && weburl.IsPlaceholderHost(domain)) || (!ok && weburl.IsPlaceholderHost(id)) {
				fields = append(fields, fmt.Sprintf("Email.VerifiedIdentity (%s)", id))
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return fmt.Errorf("stage %q still has placeholder values; set these fields in stage/config.go before deploying: %s",
		c.Name, strings.Join(fields, "; "))
}

// CheckDeployable checks every stage about to be deployed.
func CheckDeployable(configs []Config) error {
	var errs []error
	for _, c := range configs {
		errs = append(errs, c.CheckDeployable())
	}
	return errors.Join(errs...)
}
