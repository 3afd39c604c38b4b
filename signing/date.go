package signing

import (
	"net/http"
	"time"
)

// Hand-written formatters: time.Format is a few hundred ns of layout
// interpretation per call, which is a large share of a Sign.

// appendDateV3 appends t in UTC as 2006-01-02T15:04:05Z.
func appendDateV3(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, dateLayoutV3)
	}
	hh, mm, ss := t.Clock()
	dst = append4(dst, y)
	dst = append(dst, '-')
	dst = append2(dst, int(mo))
	dst = append(dst, '-')
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = append2(dst, hh)
	dst = append(dst, ':')
	dst = append2(dst, mm)
	dst = append(dst, ':')
	dst = append2(dst, ss)
	return append(dst, 'Z')
}

const (
	dayNames   = "SunMonTueWedThuFriSat"
	monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// appendDateROA appends t in the RFC 1123 GMT form of http.TimeFormat,
// e.g. "Mon, 02 Jan 2006 15:04:05 GMT".
func appendDateROA(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, http.TimeFormat)
	}
	hh, mm, ss := t.Clock()
	wd := int(t.Weekday()) * 3
	dst = append(dst, dayNames[wd:wd+3]...)
	dst = append(dst, ',', ' ')
	dst = append2(dst, d)
	dst = append(dst, ' ')
	m := (int(mo) - 1) * 3
	dst = append(dst, monthNames[m:m+3]...)
	dst = append(dst, ' ')
	dst = append4(dst, y)
	dst = append(dst, ' ')
	dst = append2(dst, hh)
	dst = append(dst, ':')
	dst = append2(dst, mm)
	dst = append(dst, ':')
	dst = append2(dst, ss)
	return append(dst, " GMT"...)
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

func append4(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
