using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// JSON options for what crosses the durable boundary (orchestration inputs, activity inputs and results, external
/// events, custom status): <see cref="JourneyJson.Options"/> except that a constructor parameter missing from the JSON
/// gets its default. Positional records such as <c>Decision(At, StepId, ...)</c>, <c>CompleteRun(Reason, Detail)</c>
/// and <c>EntryDecision(Enter, RunId, ...)</c> are written without their null members (WhenWritingNull), so insisting
/// on every constructor parameter on the way back would refuse JSON these same options wrote. And
/// <c>Contact.Tags</c> is an <see cref="IReadOnlySet{T}"/>, which System.Text.Json writes but cannot create: it reads
/// back as a case-insensitive set, as a contact's tags are compared.
/// </summary>
public static class OrchestrationJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JourneyJson.Options)
        {
            RespectRequiredConstructorParameters = false,
        };
        options.Converters.Add(new ReadOnlyTagSetConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class ReadOnlyTagSetConverter : JsonConverter<IReadOnlySet<string>>
    {
        public override IReadOnlySet<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("Expected an array of tags.");
            }

            var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                set.Add(reader.GetString() ?? throw new JsonException("A tag cannot be null."));
            }

            return set;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlySet<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var tag in value.Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
        }
    }
}
