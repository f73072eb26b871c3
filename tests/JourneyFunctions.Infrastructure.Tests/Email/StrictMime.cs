using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Tests.Email;

/// <summary>One leaf part of a message as <see cref="StrictMime"/> decoded it.</summary>
public sealed record StrictMimePart(string ContentType, string? Charset, string TransferEncoding, string Text);

/// <summary>A message as <see cref="StrictMime"/> read it: its top-level headers (unfolded) and its leaf parts.</summary>
public sealed record StrictMimeMessage(IReadOnlyList<KeyValuePair<string, string>> Headers, IReadOnlyList<StrictMimePart> Parts)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A second MIME reader for the tests, written from the RFCs and independent of MimeKit (which writes the messages, so
/// it cannot be the only judge of them). It is strict where MimeKit is lenient and throws <see cref="FormatException"/>
/// naming the rule broken: RFC 5322 (CRLF line ends, lines of at most 998 octets, header fields as
/// <c>name: value</c> with printable ASCII names, folding, Date, From, a Message-ID of <c>&lt;left@domain&gt;</c>
/// with a dotted domain that is not localhost), RFC 2045 (MIME-Version 1.0; every octet of a 7bit part is ASCII;
/// an 8-bit octet anywhere needs a declared 8bit or binary encoding; quoted-printable lines of at most 76 characters
/// with only =XX escapes and soft breaks; base64 of the base64 alphabet), RFC 2046 (multipart boundaries present,
/// the closing delimiter present) and RFC 2047 (encoded words in headers decode as declared).
/// </summary>
public static partial class StrictMime
{
    public static StrictMimeMessage Parse(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var lines = SplitLines(raw);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length > 998)
            {
                throw new FormatException($"line {i + 1} has {lines[i].Length} octets; RFC 5322 2.1.1 allows at most 998");
            }
        }

        var (headers, bodyStart) = ReadHeaders(lines, 0, "message");
        var message = new StrictMimeMessage(headers, []);
        Require(message.Header("MIME-Version")?.Trim() == "1.0", "MIME-Version: 1.0 is missing (RFC 2045 4)");
        var date = message.Header("Date") ?? throw new FormatException("Date is missing (RFC 5322 3.6.1)");
        Require(DateTimeOffset.TryParseExact(DateRegex().Replace(date.Trim(), string.Empty), ["ddd, dd MMM yyyy HH:mm:ss zzz", "dd MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"Date '{date}' is not an RFC 5322 date-time");
        Require(message.Header("From") is { Length: > 0 }, "From is missing (RFC 5322 3.6.2)");
        var messageId = message.Header("Message-ID")?.Trim() ?? throw new FormatException("Message-ID is missing (RFC 5322 3.6.4)");
        var id = MessageIdRegex().Match(messageId);
        Require(id.Success, $"Message-ID '{messageId}' is not <left@domain> (RFC 5322 3.6.4)");
        var domain = id.Groups["domain"].Value;
        Require(domain.Contains('.', StringComparison.Ordinal) && !domain.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !domain.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase), $"Message-ID domain '{domain}' is not a domain of the sender");
        foreach (var (name, value) in headers)
        {
            _ = DecodeEncodedWords(value, name);
        }

        var parts = new List<StrictMimePart>();
        ReadEntity(headers, lines, bodyStart, lines.Count, parts, "message");
        return message with { Parts = parts };
    }

    /// <summary>The header value with its RFC 2047 encoded words decoded (what a mail client shows).</summary>
    public static string DecodeEncodedWords(string value, string where = "header")
    {
        ArgumentNullException.ThrowIfNull(value);
        return EncodedWordRegex().Replace(value, m =>
        {
            var charset = Encoding.GetEncoding(m.Groups["charset"].Value);
            var text = m.Groups["text"].Value;
            byte[] bytes = m.Groups["enc"].Value.ToUpperInvariant() switch
            {
                "B" => Convert.FromBase64String(text),
                "Q" => DecodeQuotedPrintable(text.Replace('_', ' '), where, header: true),
                var e => throw new FormatException($"{where}: encoded word with unknown encoding '{e}' (RFC 2047 4)"),
            };
            return charset.GetString(bytes);
        });
    }

    private static void ReadEntity(IReadOnlyList<KeyValuePair<string, string>> headers, List<string> lines, int start, int end, List<StrictMimePart> parts, string where)
    {
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value ?? "text/plain; charset=us-ascii";
        var type = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var encoding = (headers.FirstOrDefault(h => h.Key.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value ?? "7bit").Trim().ToLowerInvariant();
        Require(encoding is "7bit" or "8bit" or "binary" or "quoted-printable" or "base64", $"{where}: Content-Transfer-Encoding '{encoding}' is not one of RFC 2045 6.1");
        var body = lines.Skip(start).Take(end - start).ToList();
        if (type.StartsWith("multipart/", StringComparison.Ordinal))
        {
            Require(encoding is "7bit" or "8bit" or "binary", $"{where}: a multipart entity must not be encoded (RFC 2045 6.4)");
            var boundary = Parameter(contentType, "boundary") ?? throw new FormatException($"{where}: {type} without a boundary (RFC 2046 5.1.1)");
            var delimiter = "--" + boundary;
            var indices = body.Select((l, i) => (l, i)).Where(x => x.l.TrimEnd() == delimiter || x.l.TrimEnd() == delimiter + "--").ToList();
            Require(indices.Count >= 2, $"{where}: fewer than one part between boundaries");
            Require(indices[^1].l.TrimEnd() == delimiter + "--", $"{where}: the closing delimiter {delimiter}-- is missing (RFC 2046 5.1.1)");
            for (var k = 0; k < indices.Count - 1; k++)
            {
                var partWhere = $"{where} part {k + 1}";
                var (partHeaders, partBody) = ReadHeaders(lines, start + indices[k].i + 1, partWhere);
                ReadEntity(partHeaders, lines, partBody, start + indices[k + 1].i, parts, partWhere);
            }

            return;
        }

        var charset = Parameter(contentType, "charset");
        byte[] decoded;
        switch (encoding)
        {
            case "7bit":
                foreach (var line in body)
                {
                    Require(line.All(c => c < 128 && c != '\0'), $"{where}: an 8-bit octet in a 7bit part; RFC 2045 2.7 needs a Content-Transfer-Encoding (quoted-printable or base64) for it");
                }

                decoded = Encoding.Latin1.GetBytes(string.Join("\r\n", body));
                break;
            case "quoted-printable":
                foreach (var line in body)
                {
                    Require(line.Length <= 76, $"{where}: a quoted-printable line of {line.Length} characters; RFC 2045 6.7 allows 76");
                    Require(line.All(c => c < 128), $"{where}: an 8-bit octet in quoted-printable text (RFC 2045 6.7)");
                }

                decoded = DecodeQuotedPrintable(string.Join("\r\n", body), where, header: false);
                break;
            case "base64":
                var joined = string.Concat(body);
                Require(Base64Regex().IsMatch(joined), $"{where}: characters outside the base64 alphabet (RFC 2045 6.8)");
                decoded = Convert.FromBase64String(joined);
                break;
            default:
                decoded = Encoding.Latin1.GetBytes(string.Join("\r\n", body));
                break;
        }

        var text = (charset is null ? Encoding.ASCII : Encoding.GetEncoding(charset)).GetString(decoded);
        parts.Add(new StrictMimePart(type, charset, encoding, text));
    }

    private static (List<KeyValuePair<string, string>> Headers, int BodyStart) ReadHeaders(List<string> lines, int start, string where)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var i = start;
        for (; i < lines.Count && lines[i].Length > 0; i++)
        {
            var line = lines[i];
            Require(line.All(c => c < 128), $"{where}: header line '{line}' has an 8-bit octet; RFC 5322 2.2 and RFC 2047 need ASCII (encoded words)");
            if (line[0] is ' ' or '\t')
            {
                Require(headers.Count > 0, $"{where}: a folded line before any header field");
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Require(colon > 0, $"{where}: '{line}' is not a header field (name: value, RFC 5322 2.2)");
            var name = line[..colon];
            Require(name.All(c => c is > ' ' and < (char)127), $"{where}: header name '{name}' has a character RFC 5322 2.2 does not allow");
            headers.Add(new(name, line[(colon + 1)..].TrimStart()));
        }

        Require(i < lines.Count, $"{where}: no empty line ends the header (RFC 5322 2.1)");
        return (headers, i + 1);
    }

    private static byte[] DecodeQuotedPrintable(string text, string where, bool header)
    {
        var output = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '=')
            {
                output.Add((byte)c);
                continue;
            }

            if (!header && i + 2 < text.Length && text[i + 1] == '\r' && text[i + 2] == '\n')
            {
                i += 2; // soft line break
                continue;
            }

            Require(i + 2 < text.Length, $"{where}: '=' without two hex digits after it (RFC 2045 6.7)");
            Require(IsUpperHex(text[i + 1]) && IsUpperHex(text[i + 2]), $"{where}: '={Peek(text, i + 1)}' is not an =XX escape of upper-case hex digits (RFC 2045 6.7)");
            output.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            i += 2;
        }

        return [.. output];
    }

    private static bool IsUpperHex(char c) => c is (>= '0' and <= '9') or (>= 'A' and <= 'F');

    private static string Peek(string text, int at) => at < text.Length ? text.Substring(at, Math.Min(2, text.Length - at)) : string.Empty;

    private static string? Parameter(string header, string name)
    {
        foreach (var piece in header.Split(';').Skip(1))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && piece[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    /// <summary>Lines split on CRLF only; a bare CR or LF is an error (RFC 5322 2.3).</summary>
    private static List<string> SplitLines(byte[] raw)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == '\r')
            {
                Require(i + 1 < raw.Length && raw[i + 1] == '\n', $"a bare CR at octet {i} (RFC 5322 2.3: lines end in CRLF)");
                lines.Add(current.ToString());
                current.Clear();
                i++;
                continue;
            }

            Require(b != '\n', $"a bare LF at octet {i} (RFC 5322 2.3: lines end in CRLF)");
            current.Append((char)b);
        }

        if (current.Length > 0)
        {
            lines.Add(current.ToString());
        }

        return lines;
    }

    private static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw new FormatException(rule);
        }
    }

    [GeneratedRegex(@"\s*\([^)]*\)\s*$")]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"^<(?<left>[^<>@\s]+)@(?<domain>[A-Za-z0-9.-]+)>$")]
    private static partial Regex MessageIdRegex();

    [GeneratedRegex(@"=\?(?<charset>[^?]+)\?(?<enc>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWordRegex();

    [GeneratedRegex("^[A-Za-z0-9+/]*={0,2}$")]
    private static partial Regex Base64Regex();
}
