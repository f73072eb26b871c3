using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace JourneyFunctions.Simulation;

/// <summary>
/// The JSON Schema of scenario files (schema/scenario.schema.json), generated from the <see cref="Scenario"/> records
/// and their descriptions with the same serializer options the loader uses, so the schema editors check against can
/// never drift from what <c>journeys test</c> accepts. A test keeps the committed file equal to <see cref="Generate"/>.
/// </summary>
public static class ScenarioSchema
{
    public static string Generate()
    {
        var options = new JsonSerializerOptions(ScenarioFile.JsonOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                var description = Describe(context.PropertyInfo?.AttributeProvider) ?? (context.PropertyInfo is null ? Describe(context.TypeInfo.Type) : null);
                if (description is not null && node is JsonObject obj && !obj.ContainsKey("description"))
                {
                    obj.Insert(0, "description", description);
                }

                return node;
            },
        };
        var schema = (JsonObject)JsonSchemaExporter.GetJsonSchemaAsNode(options, typeof(Scenario), exporter);
        schema.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.Insert(1, "title", "JourneyFunctions scenario");
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static string? Describe(ICustomAttributeProvider? provider) =>
        provider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault()?.Description;
}
