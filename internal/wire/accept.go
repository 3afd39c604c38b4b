package wire

import (
	"strconv"
	"strings"
)

// preference is the quality an Accept header gives one format and how specifically: 2 for the
// format's own media type, 1 for a type wildcard (application/*, text/* for XML), 0 for */*,
// -1 when no range matches.
type preference struct {
	q           float64
	specificity int
}

// offer records a matching media range, the most specific one winning (the highest q among
// equally specific ranges).
func (p *preference) offer(q float64, specificity int) {
	switch {
	case specificity > p.specificity:
		p.q, p.specificity = q, specificity
	case specificity == p.specificity:
		p.q = max(p.q, q)
	}
}

// over reports whether p beats o: a higher quality, or the same quality from a more specific
// range.
func (p preference) over(o preference) bool {
	return p.q > o.q || (p.q == o.q && p.specificity > o.specificity)
}

// RespondsInXML reports whether the service responds in XML, its default, to a request with these
// Accept values: JSON only when the client's most specific matching range prefers it by quality
// (a tie goes to the more specific range) or refuses XML with q=0; the service never sends 406.
func RespondsInXML(accept []string) bool {
	xmlPref := preference{q: -1, specificity: -1}
	jsonPref := preference{q: -1, specificity: -1}
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mediaRange, q, ok := parseMediaRange(part)
			if !ok {
				continue
			}
			switch mediaRange {
			case "application/xml", "text/xml":
				xmlPref.offer(q, 2)
			case "application/json":
				jsonPref.offer(q, 2)
			case "application/*":
				xmlPref.offer(q, 1)
				jsonPref.offer(q, 1)
			case "text/*":
				xmlPref.offer(q, 1)
			case "*/*":
				xmlPref.offer(q, 0)
				jsonPref.offer(q, 0)
			}
		}
	}
	switch {
	case xmlPref.q == 0 && jsonPref.q != 0:
		return false // XML refused outright
	case jsonPref.q > 0 && jsonPref.over(xmlPref):
		return false
	}
	return true
}

// parseMediaRange returns the lower-cased type/subtype of one Accept element and its quality
// (1 when absent). ok is false for an element that is not a media range or whose q is not a
// number from 0 to 1.
func parseMediaRange(s string) (mediaRange string, q float64, ok bool) {
	params := strings.Split(s, ";")
	mediaRange = strings.ToLower(strings.TrimSpace(params[0]))
	if slash := strings.IndexByte(mediaRange, '/'); slash <= 0 || slash == len(mediaRange)-1 {
		return "", 0, false
	}
	q = 1
	for _, p := range params[1:] {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return "", 0, false
		}
		q = v
	}
	return mediaRange, q, true
}
