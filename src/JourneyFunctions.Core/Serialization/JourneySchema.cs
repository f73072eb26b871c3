using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Serialization;

/// <summary>
/// The JSON Schema of journey files (<c>schema/journey.schema.json</c>), generated from the model with System.Text.Json's
/// <see cref="JsonSchemaExporter"/> and <see cref="JourneyJson.Options"/>, so it cannot say something the loader does
/// not do. Draft-07, the dialect VS Code supports best. Each model type is one entry under <c>definitions</c>
/// (conditions nest recursively); descriptions come from the <see cref="DescriptionAttribute"/>s of the model; the
/// step <c>type</c> is an enum and each step kind a <c>oneOf</c> branch with its one value, so an editor completes it
/// and checks each kind's own properties.
/// </summary>
public static class JourneySchema
{
    /// <summary>The JSON Schema dialect the file declares.</summary>
    public const string Dialect = "http://json-schema.org/draft-07/schema#";

    /// <summary>Where the schema is committed, relative to the repository root.</summary>
    public const string RelativePath = "schema/journey.schema.json";

    private const string DefinitionsPrefix = "#/definitions/";

    /// <summary>The schema as indented JSON text with \n line ends and a final newline, exactly as committed.</summary>
    public static string Generate()
    {
        var text = GenerateNode().ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        return text + "\n";
    }

    /// <summary>The schema as a node tree.</summary>
    public static JsonObject GenerateNode()
    {
        var options = JourneyJson.Options;
        var pending = new Queue<Type>();
        var known = new HashSet<Type> { typeof(JourneyDefinition) };
        var definitions = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);

        var root = Export(options, typeof(JourneyDefinition), known, pending);
        while (pending.TryDequeue(out var type))
        {
            definitions[DefinitionName(type)] = Export(options, type, known, pending);
        }

        var schema = new JsonObject
        {
            ["$schema"] = Dialect,
            ["title"] = "Journey",
        };
        foreach (var (name, value) in root)
        {
            if (name != "title")
            {
                schema[name] = value?.DeepClone();
            }
        }

        var definitionsNode = new JsonObject();
        foreach (var (name, node) in definitions)
        {
            definitionsNode[name] = node;
        }

        schema["definitions"] = definitionsNode;
        EnsureReferencesResolve(schema);
        return schema;
    }

    private static JsonObject Export(JsonSerializerOptions options, Type type, HashSet<Type> known, Queue<Type> pending)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(options, context, node, type, known, pending),
        };
        return JsonSchemaExporter.GetJsonSchemaAsNode(options, type, exporterOptions).AsObject();
    }

    private static JsonNode Transform(JsonSerializerOptions options, JsonSchemaExporterContext context, JsonNode node, Type exported, HashSet<Type> known, Queue<Type> pending)
    {
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        var propertyDescription = Description(context.PropertyInfo?.AttributeProvider);
        var isRoot = context.Path.IsEmpty;
        var description = propertyDescription ?? (isRoot || IsPolymorphicBranch(type) ? Description(type) : null);

        // A named model type below the root of this export becomes a reference to its own definition. Step kinds stay
        // inline in the step's oneOf: on their own they would lose the "type" discriminator.
        if (!isRoot && IsNamedModelType(context.TypeInfo) && !IsPolymorphicBranch(type) && type != exported)
        {
            if (known.Add(type))
            {
                pending.Enqueue(type);
            }

            var nullable = node is JsonObject o && AllowsNull(o);
            return Reference(type, propertyDescription, nullable);
        }

        if (!isRoot && type == exported && IsNamedModelType(context.TypeInfo))
        {
            // A recursive use of the type being exported (a condition inside a condition).
            var nullable = node is JsonObject o && (AllowsNull(o) || o.ContainsKey("$ref"));
            return Reference(type, propertyDescription, nullable && context.PropertyInfo?.IsSetNullable == true);
        }

        if (node is JsonObject { Count: 1 } exporterReference && exporterReference["$ref"] is JsonValue target
            && !target.GetValue<string>().StartsWith(DefinitionsPrefix, StringComparison.Ordinal) && type != exported)
        {
            // The exporter points a recursive type at its first occurrence by JSON pointer; that occurrence may have
            // become a definition reference above, so write the type out again here instead. (A reference back to
            // the type being exported only occurs inside a model type's subtree, which becomes a reference itself.)
            var fresh = Export(options, type, known, pending);
            if (context.PropertyInfo?.IsSetNullable == true && fresh["type"] is JsonValue single)
            {
                fresh["type"] = new JsonArray(single.GetValue<string>(), "null");
            }

            node = fresh;
        }

        if (node is not JsonObject obj)
        {
            // "true" (any JSON value, e.g. JsonElement): an object schema can carry the description.
            obj = new JsonObject();
        }

        if (context.TypeInfo.PolymorphismOptions is { } polymorphism && obj["anyOf"] is JsonArray branches)
        {
            ShapeDiscriminator(obj, branches, polymorphism);
        }

        if (context.PropertyInfo is null && IsNamedModelType(context.TypeInfo) && (isRoot || IsPolymorphicBranch(type)))
        {
            obj.Insert(0, "title", Title(type));
        }

        if (description is not null && !obj.ContainsKey("description"))
        {
            obj.Insert(obj.ContainsKey("title") ? 1 : 0, "description", description);
        }

        return obj;
    }

    /// <summary>
    /// The exporter writes a polymorphic type as <c>anyOf</c> branches with a <c>const</c> discriminator. The kinds
    /// exclude each other, so this makes it <c>oneOf</c>, puts the kind's description on its discriminator (editors
    /// show it while completing) and lists every kind in an <c>enum</c> on the shared <c>type</c> property.
    /// </summary>
    private static void ShapeDiscriminator(JsonObject obj, JsonArray branches, JsonPolymorphismOptions polymorphism)
    {
        var name = polymorphism.TypeDiscriminatorPropertyName;
        var kinds = new JsonArray();
        foreach (var derived in polymorphism.DerivedTypes)
        {
            if (derived.TypeDiscriminator is string kind)
            {
                kinds.Add(kind);
            }
        }

        foreach (var branch in branches.OfType<JsonObject>())
        {
            if (branch["properties"]?[name] is JsonObject discriminator && discriminator["const"] is JsonValue constant)
            {
                // A one-value enum rather than const: validators that stop at draft-04 (NJsonSchema among them)
                // ignore const and would let every branch match.
                var kind = constant.GetValue<string>();
                discriminator.Remove("const");
                discriminator["enum"] = new JsonArray(kind);
                if (polymorphism.DerivedTypes.FirstOrDefault(d => Equals(d.TypeDiscriminator, kind)) is { DerivedType: { } derivedType }
                    && Description(derivedType) is { } kindDescription)
                {
                    discriminator["description"] = kindDescription;
                }
            }
        }

        obj.Remove("anyOf");
        var properties = new JsonObject
        {
            [name] = new JsonObject
            {
                ["description"] = "The kind of step.",
                ["enum"] = kinds,
            },
        };
        obj["properties"] = properties;
        obj["oneOf"] = branches;
    }

    /// <summary>Every <c>$ref</c> must point at a definition: a leftover exporter pointer would silently check nothing.</summary>
    private static void EnsureReferencesResolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue target
                    && (!target.GetValue<string>().StartsWith(DefinitionsPrefix, StringComparison.Ordinal)
                        || obj.Root["definitions"]?[target.GetValue<string>()[DefinitionsPrefix.Length..]] is null))
                {
                    throw new InvalidOperationException($"The generated schema has an unresolved $ref {target} at {obj.GetPath()}.");
                }

                foreach (var (_, child) in obj)
                {
                    EnsureReferencesResolve(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    EnsureReferencesResolve(child);
                }

                break;
        }
    }

    private static JsonObject Reference(Type type, string? description, bool nullable)
    {
        var reference = new JsonObject { ["$ref"] = DefinitionsPrefix + DefinitionName(type) };
        var result = new JsonObject();
        if (description is not null)
        {
            result["description"] = description;
        }

        if (nullable)
        {
            result["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" });
        }
        else if (description is not null)
        {
            // Draft-07 ignores keywords beside $ref, so the description sits beside an allOf holding it.
            result["allOf"] = new JsonArray(reference);
        }
        else
        {
            return reference;
        }

        return result;
    }

    private static bool AllowsNull(JsonObject node) => node["type"] switch
    {
        JsonArray types => types.Any(t => t?.GetValue<string>() == "null"),
        JsonValue value => value.GetValue<string>() == "null",
        _ => false,
    };

    private static bool IsNamedModelType(JsonTypeInfo info) =>
        info.Kind == JsonTypeInfoKind.Object && info.Type.Namespace == typeof(JourneyDefinition).Namespace;

    private static bool IsPolymorphicBranch(Type type) =>
        type.BaseType is { } baseType && baseType.GetCustomAttribute<JsonPolymorphicAttribute>() is not null;

    private static string DefinitionName(Type type) => type.Name;

    private static string? Description(ICustomAttributeProvider? provider) =>
        provider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: true).OfType<DescriptionAttribute>().FirstOrDefault()?.Description;

    /// <summary>"WaitForEventStep" =&gt; "Wait for event step"; "JourneyDefinition" =&gt; "Journey".</summary>
    private static string Title(Type type)
    {
        var name = type == typeof(JourneyDefinition) ? "Journey" : type.Name;
        var sb = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0)
            {
                sb.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
