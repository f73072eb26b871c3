using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Api;

/// <summary>
/// Writes every instant in API responses as UTC with <c>Z</c> (<c>2026-11-23T09:00:00Z</c>), whatever offset the
/// stored value carries, so one response never mixes <c>+01:00</c> and <c>+00:00</c>. Where a person reads a time, the
/// response has a separate field with the contact's local time (e.g. <c>waitingUntilLocal</c>). Reads any ISO 8601
/// instant.
/// </summary>
public sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>Round-trip precision, trailing zero fractions dropped.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
