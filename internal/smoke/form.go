package smoke

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// inputTag is where each input element starts; its attributes follow.
var inputTag = regexp.MustCompile(`(?i)<input\b`)

// hiddenFields are the names and values of a page's hidden inputs, read by
// attribute name whatever the order, quoting or case of the attributes.
func hiddenFields(page string) url.Values {
	fields := url.Values{}
	for _, loc := range inputTag.FindAllStringIndex(page, -1) {
		attrs := tagAttributes(page[loc[1]:])
		if strings.EqualFold(attrs["type"], "hidden") && attrs["name"] != "" {
			fields.Set(attrs["name"], attrs["value"])
		}
	}
	return fields
}

// spaces are HTML's whitespace between attributes.
const spaces = " \t\n\r\f"

// tagAttributes reads the attributes of the start tag whose name s follows,
// up to the tag's end: names lower-cased, values double-, single- or
// unquoted and unescaped; the first of a repeated attribute counts, as in
// HTML.
func tagAttributes(s string) map[string]string {
	attrs := map[string]string{}
	for {
		s = strings.TrimLeft(s, spaces+"/")
		if s == "" || s[0] == '>' {
			return attrs
		}
		// An attribute name runs to a space, '/', '>' or '=' (a leading
		// '=' belongs to the name).
		end := strings.IndexAny(s[1:], spaces+"/>=") + 1
		if end == 0 {
			end = len(s)
		}
		name := strings.ToLower(s[:end])
		s = strings.TrimLeft(s[end:], spaces)
		var value string
		if strings.HasPrefix(s, "=") {
			value, s = attributeValue(strings.TrimLeft(s[1:], spaces))
		}
		if _, seen := attrs[name]; !seen {
			attrs[name] = html.UnescapeString(value)
		}
	}
}

// attributeValue splits s, which starts with an attribute's value, into
// the value and what follows it.
func attributeValue(s string) (value, rest string) {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		if end := strings.IndexByte(s[1:], s[0]); end >= 0 {
			return s[1 : 1+end], s[end+2:]
		}
		return s[1:], ""
	}
	if end := strings.IndexAny(s, spaces+">"); end >= 0 {
		return s[:end], s[end:]
	}
	return s, ""
}
