using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;

namespace JourneyFunctions.Api.Storefronts;

/// <summary>
/// A webhook body that cannot be mapped: <see cref="Status"/> is 400 for a malformed body (not JSON, a field of the
/// wrong type) and 422 for a well-formed body of a known topic that lacks a field the mapping needs. Thrown by the
/// mappers before anything is applied, so a refused webhook changes nothing.
/// </summary>
public sealed class StorefrontPayloadException : Exception
{
    public StorefrontPayloadException()
        : this(StatusCodes.Status400BadRequest, "$", "cannot be read")
    {
    }

    public StorefrontPayloadException(string message)
        : this(StatusCodes.Status400BadRequest, "$", message)
    {
    }

    public StorefrontPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Field = "$";
    }

    public StorefrontPayloadException(int status, string field, string message)
        : base(message)
    {
        Status = status;
        Field = field;
    }

    public int Status { get; }

    public string Field { get; }

    public static StorefrontPayloadException Missing(string field, string why) =>
        new(StatusCodes.Status422UnprocessableEntity, field, $"is required: {why}");

    public static StorefrontPayloadException Malformed(string field, string message) =>
        new(StatusCodes.Status400BadRequest, field, message);
}

/// <summary>
/// Reads a webhook body (a JSON object) field by field with the JSON path of each, so a problem names the field as the
/// platform documents it (<c>$.line_items[2].price</c>). Money arrives as strings on Shopify ("19.99") and is read as
/// a number; dates without an offset (WooCommerce's <c>*_gmt</c>) are UTC.
/// </summary>
public readonly struct PayloadObject
{
    public PayloadObject(JsonElement element, string path)
    {
        Element = element;
        Path = path;
    }

    public JsonElement Element { get; }

    public string Path { get; }

    /// <summary>Parses the body; malformed JSON or a root that is not an object is a 400.</summary>
    public static PayloadObject Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonBody.Describe(ex);
            throw StorefrontPayloadException.Malformed(field, message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw StorefrontPayloadException.Malformed("$", "must be a JSON object (the webhook's resource)");
            }

            return new PayloadObject(document.RootElement.Clone(), "$");
        }
    }

    public string At(string name) => $"{Path}.{name}";

    public bool Has(string name) => Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            _ => throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected a string"),
        };
    }

    /// <summary>An id the platform may send as a number or a string, as a string.</summary>
    public string? Id(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            _ => throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected a number or a string"),
        };
    }

    public string RequireId(string name, string why) => Id(name) ?? throw StorefrontPayloadException.Missing(At(name), why);

    public string RequireString(string name, string why) => String(name) ?? throw StorefrontPayloadException.Missing(At(name), why);

    public decimal? Money(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        if (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()))
        {
            return null;
        }

        throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected an amount such as \"19.99\"");
    }

    public int? Integer(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected a whole number");
    }

    public DateTimeOffset? Date(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
        {
            return at;
        }

        throw StorefrontPayloadException.Malformed(At(name), $"'{text}' is not a date and time in ISO 8601");
    }

    public PayloadObject? Object(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? new PayloadObject(value, At(name))
            : throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected an object");
    }

    public PayloadObject RequireObject(string name, string why) => Object(name) ?? throw StorefrontPayloadException.Missing(At(name), why);

    /// <summary>The objects of an array field (an absent or null array is empty).</summary>
    public IReadOnlyList<PayloadObject> Objects(string name)
    {
        if (!Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw StorefrontPayloadException.Malformed(At(name), "has the wrong type: expected an array");
        }

        var list = new List<PayloadObject>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{At(name)}[{i++}]";
            list.Add(item.ValueKind == JsonValueKind.Object
                ? new PayloadObject(item, path)
                : throw StorefrontPayloadException.Malformed(path, "has the wrong type: expected an object"));
        }

        return list;
    }
}

/// <summary>Small helpers the mappers share.</summary>
public static class StorefrontMapping
{
    /// <summary>
    /// The contact id of an address: the address itself, trimmed and lower-cased, so every platform and topic finds the
    /// same contact; an address too long for the id limit (<see cref="IdLimits"/>) becomes <c>email:</c> and a SHA-256
    /// digest of it, the same for every topic.
    /// </summary>
    public static string ContactIdFor(string email)
    {
        var id = email.Trim().ToLowerInvariant();
        return IdLimits.Problem(id) is null ? id : "email:" + Digest(id);
    }

    /// <summary>
    /// The event id (the idempotency key) for one mapped event: <c>platform:shop:key</c> while that fits the id limit
    /// every route enforces (<see cref="IdLimits"/>: a shop domain and a webhook UUID escaped twice do not), else
    /// <c>platform:</c> and a SHA-256 digest of the same text, so the same delivery always maps to the same id.
    /// </summary>
    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    public static string EventId(string platform, string shop, string key)
    {
        var id = $"{platform}:{shop}:{key}";
        if (IdLimits.Problem(id) is null)
        {
            return id;
        }

        return $"{platform}:{Digest(id)}";
    }

    /// <summary>
    /// A usable address or null. A record with no address is a normal state on both platforms (a checkout before the
    /// shopper typed one, a point-of-sale order), not a malformed body: it is accepted and ignored.
    /// </summary>
    public static string? UsableEmail(string? email, string field)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var trimmed = email.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == trimmed.Length - 1 || trimmed.Any(char.IsWhiteSpace) || trimmed.Length > 254)
        {
            throw StorefrontPayloadException.Malformed(field, $"'{trimmed}' is not an email address");
        }

        return trimmed;
    }

    /// <summary>A time from the payload, never later than now (ingest refuses events from the future).</summary>
    public static DateTimeOffset? NotAfter(DateTimeOffset? at, DateTimeOffset now) => at is { } t && t > now ? now : at;

    /// <summary>Sets <paramref name="name"/> when <paramref name="value"/> is not null.</summary>
    public static JsonObject Put(this JsonObject data, string name, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (value is not null)
        {
            data[name] = value;
        }

        return data;
    }

    public static JsonElement ToElement(this JsonObject data) => JsonSerializer.SerializeToElement(data);

    public static Dictionary<string, JsonElement> Fields(params (string Name, JsonNode? Value)[] fields)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                result[name] = JsonSerializer.SerializeToElement(value);
            }
        }

        return result;
    }
}
