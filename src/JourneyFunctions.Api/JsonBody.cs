using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JourneyFunctions.Api;

/// <summary>
/// Reads a JSON request body within a size limit and turns every way it can be wrong into a problem that names the
/// field: a body over the limit is a 413 before it is read whole, a non-JSON content type a 415, malformed JSON a 400
/// with line and position, a value of the wrong type or an unknown property a 400 with its JSON path. The API reads
/// bodies itself rather than through parameter binding so that none of these can become a bare 400 or a 500.
/// </summary>
public static partial class JsonBody
{
    /// <summary>Reads the raw body, or a problem (413, 415, 400 for an empty body).</summary>
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken = default)
    {
        if (request.ContentType is { Length: > 0 } contentType && !IsJson(contentType))
        {
            return (null, ApiProblems.Field(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Content-Type", $"'{contentType}' is not JSON: send Content-Type: application/json"));
        }

        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge("$", limit));
        }

        var (bytes, tooLarge) = await ReadLimitedAsync(request, limit, cancellationToken);
        if (tooLarge)
        {
            return (null, ApiProblems.TooLarge("$", limit));
        }

        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return (null, ApiProblems.BadRequest("$", "a JSON body is required"));
        }

        if (InvalidText(bytes) is { } invalid)
        {
            return (null, ApiProblems.BadRequest(invalid, "is not valid text: invalid UTF-8 or a lone UTF-16 surrogate (\\ud800)"));
        }

        return (bytes, null);
    }

    /// <summary>
    /// The position (as <c>$</c> with line and byte) of the first string or property name that cannot be read as
    /// text: invalid UTF-8, or an escaped lone surrogate, which every later reader of the value would throw on.
    /// Malformed JSON is left to the deserializer, which names the field.
    /// </summary>
    private static string? InvalidText(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && (reader.ValueIsEscaped || !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)))
                {
                    try
                    {
                        _ = reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        return "$";
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Malformed or too deep: the deserializer reports it with its path.
        }

        return null;
    }

    /// <summary>Reads the body as form data or text within a limit (the one-click unsubscribe POST).</summary>
    public static async Task<(byte[] Body, bool TooLarge)> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken cancellationToken = default)
    {
        if (request.ContentLength > limit)
        {
            return ([], true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await request.Body.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (buffer.ToArray(), false);
            }

            if (buffer.Length + read > limit)
            {
                return ([], true);
            }

            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>Deserializes <paramref name="body"/>; a problem names the field that is wrong.</summary>
    public static (T? Value, ProblemHttpResult? Problem) Deserialize<T>(ReadOnlySpan<byte> body, string pathPrefix = "$")
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(body, ApiJson.Read);
            return value is null
                ? (null, ApiProblems.BadRequest(pathPrefix, "must be a JSON object, not null"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var (field, message) = Describe(ex);
            return (null, ApiProblems.BadRequest(field, message));
        }
    }

    /// <summary>The first JSON token of the body: <see cref="JsonTokenType.StartArray"/> for a batch.</summary>
    public static JsonTokenType FirstToken(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            return reader.Read() ? reader.TokenType : JsonTokenType.None;
        }
        catch (JsonException)
        {
            return JsonTokenType.None;
        }
    }

    /// <summary>
    /// A JSON error as a field and a sentence: the path System.Text.Json reports, the .NET type names replaced by what
    /// a caller should send, and the line and position (1-based) where the reader stopped.
    /// </summary>
    public static (string Field, string Message) Describe(JsonException ex)
    {
        var field = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        var raw = ex.Message;
        var cut = raw.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            raw = raw[..cut];
        }

        string message;
        if (UnmappedMember().Match(raw) is { Success: true } unmapped)
        {
            var name = unmapped.Groups[1].Value;
            field = field.EndsWith("." + name, StringComparison.Ordinal) || field.EndsWith($"['{name}']", StringComparison.Ordinal) ? field : Append(field, name);
            message = $"'{name}' is not a known property";
        }
        else if (MissingRequired().Match(raw) is { Success: true } missing)
        {
            var names = missing.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\''))
                .ToList();
            if (names.Count > 0)
            {
                field = Append(field, names[0]);
            }

            message = names.Count == 1 ? "is required" : $"is required (also missing: {string.Join(", ", names.Skip(1))})";
        }
        else if (NullNotAllowed().Match(raw) is { Success: true } nullField)
        {
            field = field.EndsWith("." + nullField.Groups[1].Value, StringComparison.Ordinal) ? field : Append(field, nullField.Groups[1].Value);
            message = "must not be null";
        }
        else if (ConvertTo().Match(raw) is { Success: true } convert)
        {
            message = $"has the wrong type: expected {Friendly(convert.Groups[1].Value)}";
        }
        else if (ex.InnerException is FormatException or InvalidOperationException)
        {
            message = "has a value that cannot be read here";
        }
        else
        {
            message = $"is not valid JSON: {DotNetNames().Replace(raw.TrimEnd('.'), "value")}";
        }

        if (ex.LineNumber is { } line)
        {
            var position = ex.BytePositionInLine ?? 0;
            message += string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {position + 1})");
        }

        return (field, message);
    }

    private static string Append(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name}']";

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Friendly(string dotNetType)
    {
        var type = dotNetType.TrimEnd('.');
        if (type.StartsWith("System.Nullable`1[", StringComparison.Ordinal))
        {
            type = type["System.Nullable`1[".Length..].TrimEnd(']');
        }

        return type switch
        {
            "System.String" => "a string",
            "System.Int32" or "System.Int64" or "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.DateTimeOffset" or "System.DateTime" => "a date and time in ISO 8601 (e.g. 2026-11-23T09:30:00Z)",
            "System.Text.Json.JsonElement" => "a JSON value",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) => "an object",
            _ when type.Contains("List", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"missing required properties including: (.*)\.?$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"The property or field '([^']*)' on type '[^']*' doesn't allow (setting|getting) null")]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex(@"could not be converted to ([^\s]+)")]
    private static partial Regex ConvertTo();

    [GeneratedRegex(@"(System|JourneyFunctions)\.[A-Za-z0-9_.`\[\],]+")]
    private static partial Regex DotNetNames();
}
