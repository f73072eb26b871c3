using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The structural pass: walks the raw JSON against the shape System.Text.Json will deserialize (taken from the
/// options' type info, so it follows the model and never drifts from it) and collects every problem where the
/// serializer would stop at the first: unknown and duplicate properties, missing required ones, wrong JSON types,
/// unknown enum strings and unknown step kinds. It is stricter than the serializer in one way, on purpose: property
/// names and enum strings must be spelled exactly as the schema spells them (the serializer would also take
/// "Template" or "Decision"), so a file that passes here also passes in an editor checking it against the schema.
/// </summary>
internal sealed class StructuralValidator
{
    private static readonly ConcurrentDictionary<(JsonSerializerOptions, Type), ObjectShape> Shapes = new();

    private static readonly ConcurrentDictionary<Type, string[]> EnumNames = new();

    private static readonly ConcurrentDictionary<Type, Kinds> KindsByBase = new();

    private static readonly ConcurrentDictionary<Type, string> HumanNames = new();

    private readonly JsonSerializerOptions _options;

    private readonly List<ValidationError> _errors;

    public StructuralValidator(JsonSerializerOptions options, List<ValidationError> errors)
    {
        this._options = options;
        this._errors = errors;
    }

    /// <summary>
    /// Parses <paramref name="json"/> with the same reader settings as the serializer; on malformed JSON adds one
    /// error with a 1-based line and column and returns null.
    /// </summary>
    public static JsonDocument? Parse(string json, JsonSerializerOptions options, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            errors.Add(new ValidationError(JsonPaths.Root, ValidationCodes.MalformedJson, "the file is empty: a journey is a JSON object { ... }") { Line = 1, Column = 1 });
            return null;
        }

        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions
            {
                AllowTrailingCommas = options.AllowTrailingCommas,
                CommentHandling = options.ReadCommentHandling,
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0);
            var bytePosition = (int)(ex.BytePositionInLine ?? 0);
            var column = CharacterColumn(json, line, bytePosition);
            var reason = ex.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut < 0)
            {
                cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            }

            if (cut > 0)
            {
                reason = reason[..cut];
            }

            reason = reason.TrimEnd(' ', '|', '.');
            errors.Add(new ValidationError(JsonPaths.Root, ValidationCodes.MalformedJson, $"not valid JSON at line {line + 1}, column {column}: {reason}.")
            {
                Line = line + 1,
                Column = column,
            });
            return null;
        }
    }

    /// <summary>Checks <paramref name="element"/> as a value of <paramref name="type"/>.</summary>
    public void Check(JsonElement element, Type type, string path) => CheckValue(element, type, nullable: false, path, NullPlace.Root);

    private static int CharacterColumn(string text, int line, int bytePosition)
    {
        var start = 0;
        for (var l = 0; l < line && start < text.Length; l++)
        {
            var nl = text.IndexOf('\n', start);
            if (nl < 0)
            {
                break;
            }

            start = nl + 1;
        }

        var bytes = 0;
        var column = 1;
        for (var i = start; i < text.Length && bytes < bytePosition && text[i] != '\n'; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length)
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += Encoding.UTF8.GetByteCount(text.AsSpan(i, 1));
            }

            column++;
        }

        return column;
    }

    /// <summary>Where a value sits, to say what to do with a null there.</summary>
    private enum NullPlace
    {
        Root,
        RequiredProperty,
        OptionalProperty,
        ListItem,
    }

    private void CheckValue(JsonElement element, Type type, bool nullable, string path, NullPlace place)
    {
        if (type == typeof(JsonElement))
        {
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            type = underlying;
            nullable = true;
        }

        if (element.ValueKind == JsonValueKind.Null)
        {
            if (!nullable)
            {
                var advice = place switch
                {
                    NullPlace.OptionalProperty => " or leave the property out",
                    NullPlace.ListItem => " or remove it from the list",
                    _ => string.Empty,
                };
                Add(path, ValidationCodes.WrongType, $"must not be null: give {Expected(type)}{advice}");
            }

            return;
        }

        if (type == typeof(string))
        {
            ExpectKind(element, path, type, JsonValueKind.String);
            return;
        }

        if (type == typeof(bool))
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Add(path, ValidationCodes.WrongType, $"expected true or false, found {Found(element)}");
            }

            return;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            var quotedNumber = element.ValueKind == JsonValueKind.String
                && (_options.NumberHandling & JsonNumberHandling.AllowReadingFromString) != 0
                && long.TryParse(element.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                && (type == typeof(long) || parsed is >= int.MinValue and <= int.MaxValue);
            if (!quotedNumber && (element.ValueKind != JsonValueKind.Number || (type == typeof(int) ? !element.TryGetInt32(out _) : !element.TryGetInt64(out _))))
            {
                Add(path, ValidationCodes.WrongType, $"expected a whole number, found {Found(element)}");
            }

            return;
        }

        if (type.IsEnum)
        {
            CheckEnum(element, type, path);
            return;
        }

        var info = _options.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Enumerable:
                if (ExpectKind(element, path, type, JsonValueKind.Array))
                {
                    var elementType = info.ElementType!;
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        CheckValue(item, elementType, nullable: false, JsonPaths.Index(path, index), NullPlace.ListItem);
                        index++;
                    }
                }

                return;
            case JsonTypeInfoKind.Dictionary:
                if (ExpectKind(element, path, type, JsonValueKind.Object))
                {
                    foreach (var property in element.EnumerateObject())
                    {
                        CheckValue(property.Value, info.ElementType!, nullable: false, JsonPaths.Property(path, property.Name), NullPlace.OptionalProperty);
                    }
                }

                return;
            case JsonTypeInfoKind.Object:
                if (ExpectKind(element, path, type, JsonValueKind.Object))
                {
                    CheckObject(element, info, path);
                }

                return;
            default:
                // Other scalars (dates, numbers of other widths): let the serializer judge them in its own pass.
                return;
        }
    }

    private void CheckObject(JsonElement element, JsonTypeInfo info, string path)
    {
        var shape = ShapeOf(info.Type);
        string? discriminatorName = null;
        string? kindName = null;
        if (info.PolymorphismOptions is { } polymorphism)
        {
            discriminatorName = polymorphism.TypeDiscriminatorPropertyName;
            var kinds = KindsOf(info.Type, polymorphism);
            var noun = Humanize(info.Type);
            if (!element.TryGetProperty(discriminatorName, out var discriminator))
            {
                Add(JsonPaths.Property(path, discriminatorName), ValidationCodes.MissingProperty, $"this {noun} has no \"{discriminatorName}\": give one of {kinds.List}");
                CheckDuplicates(element, path);
                return;
            }

            if (discriminator.ValueKind != JsonValueKind.String)
            {
                Add(JsonPaths.Property(path, discriminatorName), ValidationCodes.WrongType, $"the {noun} {discriminatorName} must be text, one of {kinds.List}; found {Found(discriminator)}");
                CheckDuplicates(element, path);
                return;
            }

            var kind = discriminator.GetString()!;
            if (!kinds.Types.TryGetValue(kind, out var derivedType))
            {
                var suggestion = Suggestions.DidYouMeanThen(kind, kinds.Types.Keys);
                Add(JsonPaths.Property(path, discriminatorName), ValidationCodes.UnknownStepKind, $"\"{kind}\" is not {Article(noun)} {noun} {discriminatorName}{suggestion}The {noun} {discriminatorName}s are: {kinds.List}");
                CheckDuplicates(element, path);
                return;
            }

            kindName = kind;
            info = _options.GetTypeInfo(derivedType);
            shape = ShapeOf(derivedType, polymorphismBase: polymorphism);
        }

        // Only needed for messages: built when the first problem in this object is found.
        var what = string.Empty;
        string What() => what.Length > 0 ? what
            : what = kindName is not null ? $"{Article(kindName)} {kindName} {Humanize(info.Type.BaseType!)}" : $"the {Humanize(info.Type)}";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = JsonPaths.Property(path, property.Name);
            if (!seen.Add(property.Name))
            {
                Add(propertyPath, ValidationCodes.DuplicateProperty, $"\"{property.Name}\" appears twice in {What()}: keep one");
                continue;
            }

            if (string.Equals(property.Name, discriminatorName, StringComparison.Ordinal))
            {
                continue;
            }

            if (!shape.Properties.TryGetValue(property.Name, out var propertyInfo))
            {
                Add(propertyPath, ValidationCodes.UnknownProperty, UnknownPropertyMessage(property.Name, What(), shape));
                continue;
            }

            CheckValue(property.Value, propertyInfo.PropertyType, propertyInfo.IsSetNullable, propertyPath, propertyInfo.IsRequired ? NullPlace.RequiredProperty : NullPlace.OptionalProperty);
        }

        foreach (var required in shape.Required)
        {
            if (!seen.Contains(required.Name))
            {
                var description = shape.Descriptions.TryGetValue(required.Name, out var d) ? $" ({d})" : string.Empty;
                Add(JsonPaths.Property(path, required.Name), ValidationCodes.MissingProperty, $"{What()} needs \"{required.Name}\"{description}");
            }
        }
    }

    /// <summary>The discriminator values of a polymorphic type and the type each one names, in declaration order.</summary>
    private sealed record Kinds(Dictionary<string, Type> Types, string List);

    private static Kinds KindsOf(Type baseType, JsonPolymorphismOptions polymorphism) =>
        KindsByBase.GetOrAdd(baseType, static (_, p) =>
        {
            var types = new Dictionary<string, Type>(StringComparer.Ordinal);
            foreach (var derived in p.DerivedTypes)
            {
                if (derived.TypeDiscriminator is string name)
                {
                    types[name] = derived.DerivedType;
                }
            }

            return new Kinds(types, string.Join(", ", types.Keys));
        }, polymorphism);

    private void CheckDuplicates(JsonElement element, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                Add(JsonPaths.Property(path, property.Name), ValidationCodes.DuplicateProperty, $"\"{property.Name}\" appears twice: keep one");
            }
        }
    }

    private static string UnknownPropertyMessage(string name, string what, ObjectShape shape)
    {
        if (Suggestions.Closest(name, shape.Properties.Keys) is { } close)
        {
            return $"{what} has no property \"{name}\"; did you mean \"{close}\"?";
        }

        var owners = shape.Siblings.Where(s => s.Value.Contains(name)).Select(s => s.Key).ToList();
        if (owners.Count > 0)
        {
            return $"{what} has no property \"{name}\" (it belongs to {string.Join(" and ", owners)} steps). Its properties are: {string.Join(", ", shape.Properties.Keys)}";
        }

        return $"{what} has no property \"{name}\". Its properties are: {string.Join(", ", shape.Properties.Keys)}";
    }

    private void CheckEnum(JsonElement element, Type type, string path)
    {
        var names = EnumNames.GetOrAdd(type, static t => t
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name)
            .ToArray());
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path, ValidationCodes.WrongType, $"expected one of {Quote(names)}, found {Found(element)}");
            return;
        }

        var value = element.GetString()!;
        if (!names.Contains(value, StringComparer.Ordinal))
        {
            Add(path, ValidationCodes.InvalidValue, $"\"{value}\" is not allowed here{Suggestions.DidYouMeanThen(value, names)}Use one of {Quote(names)}");
        }
    }

    private bool ExpectKind(JsonElement element, string path, Type type, JsonValueKind kind)
    {
        if (element.ValueKind == kind)
        {
            return true;
        }

        Add(path, ValidationCodes.WrongType, $"expected {Expected(type)}, found {Found(element)}");
        return false;
    }

    private string Expected(Type type)
    {
        if (type == typeof(string))
        {
            return "text in quotes";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return "a whole number";
        }

        if (type.IsEnum)
        {
            return "one of the listed words in quotes";
        }

        return _options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "a list [ ... ]",
            JsonTypeInfoKind.Dictionary => "an object { \"name\": \"value\" }",
            JsonTypeInfoKind.Object => $"a {Humanize(type)} object {{ ... }}",
            _ => "a value",
        };
    }

    private static string Found(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object { ... }",
        JsonValueKind.Array => "a list [ ... ]",
        JsonValueKind.String => $"the text \"{Shorten(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private static string Article(string word) => word.Length > 0 && "aeiou".Contains(char.ToLowerInvariant(word[0]), StringComparison.Ordinal) ? "an" : "a";

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    /// <summary>"WaitForEventStep" =&gt; "wait for event step"; "JourneyDefinition" =&gt; "journey".</summary>
    internal static string Humanize(Type type) => HumanNames.GetOrAdd(type, static t => HumanizeName(t));

    private static string HumanizeName(Type type)
    {
        var name = type.Name;
        if (name.EndsWith("Definition", StringComparison.Ordinal))
        {
            name = name[..^"Definition".Length];
        }

        var sb = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private void Add(string path, string code, string message) => _errors.Add(new ValidationError(path, code, message));

    private ObjectShape ShapeOf(Type type, JsonPolymorphismOptions? polymorphismBase = null) =>
        Shapes.GetOrAdd((_options, type), static (key, state) => ObjectShape.Create(key.Item1, key.Item2, state), polymorphismBase);

    /// <summary>The properties of one object type as the serializer sees them, cached per options and type.</summary>
    private sealed class ObjectShape
    {
        public required Dictionary<string, JsonPropertyInfo> Properties { get; init; }

        public required IReadOnlyList<JsonPropertyInfo> Required { get; init; }

        public required Dictionary<string, string> Descriptions { get; init; }

        /// <summary>For a derived step kind: the property names of each other kind, to say where a property belongs.</summary>
        public required Dictionary<string, HashSet<string>> Siblings { get; init; }

        public static ObjectShape Create(JsonSerializerOptions options, Type type, JsonPolymorphismOptions? polymorphismBase)
        {
            var info = options.GetTypeInfo(type);
            var properties = new Dictionary<string, JsonPropertyInfo>(StringComparer.Ordinal);
            var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in info.Properties)
            {
                if (p.Set is null && !p.IsExtensionData)
                {
                    continue;
                }

                properties[p.Name] = p;
                if (p.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: true).OfType<DescriptionAttribute>().FirstOrDefault() is { } description)
                {
                    descriptions[p.Name] = description.Description.TrimEnd('.');
                }
            }

            var siblings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            if (polymorphismBase is not null)
            {
                foreach (var derived in polymorphismBase.DerivedTypes)
                {
                    if (derived.DerivedType != type && derived.TypeDiscriminator is string name)
                    {
                        siblings[name] = options.GetTypeInfo(derived.DerivedType).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                    }
                }
            }

            return new ObjectShape
            {
                Properties = properties,
                Required = properties.Values.Where(p => p.IsRequired).ToList(),
                Descriptions = descriptions,
                Siblings = siblings,
            };
        }
    }
}
