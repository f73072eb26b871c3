using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Serialization;

/// <summary>
/// The one set of JSON options for journeys, run state and API payloads: camelCase, enums as their stored strings,
/// comments and trailing commas allowed in files people edit, the <c>type</c> discriminator anywhere in a step
/// object, and unknown properties refused (a typo must not silently drop a rule). Computed read-only members of the
/// model (such as <see cref="Step.Kind"/>) are not part of the format: they are neither written nor offered by the
/// schema.
/// </summary>
public static class JourneyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static JourneyDefinition DeserializeJourney(string json) =>
        JsonSerializer.Deserialize<JourneyDefinition>(json, Options) ?? throw new JsonException("The journey file is empty (null).");

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string SerializeState(RunState state) => JsonSerializer.Serialize(state, Options);

    public static RunState DeserializeState(string json) =>
        JsonSerializer.Deserialize<RunState>(json, Options) ?? throw new JsonException("Run state is null.");

    /// <summary>
    /// Drops get-only properties of journey model types (an override such as <c>EmailStep.Kind</c> does not inherit the
    /// base's <c>[JsonIgnore]</c>, so without this every step would be written with a redundant <c>kind</c>).
    /// </summary>
    private static void OmitComputedModelMembers(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || typeInfo.Type.Namespace != typeof(JourneyDefinition).Namespace)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].Set is null)
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            AllowOutOfOrderMetadataProperties = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitComputedModelMembers } },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
