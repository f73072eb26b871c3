using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using DotLiquid;
using DotLiquid.FileSystems;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Renders the Liquid email templates of a folder (see <see cref="TemplateOptions"/>) and checks them for journey
/// validation. Each file is read and parsed once and cached; a parsed DotLiquid template keeps per-render state, so
/// renders of one file take its lock (a render takes well under a millisecond). Outputs of an HTML body are
/// HTML-encoded (<c>| raw</c> as the last filter opts out); subject and text are not encoded. A missing
/// <c>body.txt.liquid</c> is derived from the rendered HTML by <see cref="HtmlToText"/>.
/// </summary>
/// <remarks>
/// The engine is DotLiquid: Fluid.Core 2.41.1, the only Fluid the package mirror serves, cannot construct its parser
/// against the only Parlot it serves (2.2.1). Templates are standard Liquid, so either engine reads them.
/// </remarks>
public sealed partial class LiquidTemplateRenderer : ITemplateRenderer
{
    /// <summary>The variables a journey provides to every email (<see cref="TemplateModels.Roots"/>).</summary>
    public static IReadOnlyList<string> Roots => TemplateModels.Roots;

    public const string SubjectFile = "subject.liquid";
    public const string HtmlFile = "body.html.liquid";
    public const string TextFile = "body.txt.liquid";
    public const string PartialsFolder = "_partials";

    private static readonly Type[] Filters = [typeof(LiquidFilters)];

    private readonly string _directory;
    private readonly ConcurrentDictionary<string, Lazy<CompiledFile>> _files = new(StringComparer.Ordinal);
    private readonly PartialFileSystem _htmlPartials;
    private readonly PartialFileSystem _textPartials;

    public LiquidTemplateRenderer(IOptions<TemplateOptions> options)
        : this(options.Value.Directory)
    {
    }

    public LiquidTemplateRenderer(string directory)
    {
        _directory = Path.GetFullPath(directory);
        _htmlPartials = new PartialFileSystem(this, html: true);
        _textPartials = new PartialFileSystem(this, html: false);
    }

    /// <summary>The absolute templates folder.</summary>
    public string Directory => _directory;

    /// <summary>Names of the templates in the folder (folders with a subject and an HTML body), sorted.</summary>
    public IReadOnlyList<string> List() =>
        System.IO.Directory.Exists(_directory)
            ? System.IO.Directory.EnumerateDirectories(_directory)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(Exists)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public bool Exists(string template) =>
        IsValidName(template)
        && File.Exists(Path.Combine(_directory, template, SubjectFile))
        && File.Exists(Path.Combine(_directory, template, HtmlFile));

    public IReadOnlyList<string> Check(string template, TemplateScope scope)
    {
        if (!Exists(template))
        {
            return [$"template \"{template}\" does not exist: add a folder \"{template}\" with {SubjectFile} and {HtmlFile} to the templates folder"];
        }

        var problems = new List<string>();
        foreach (var file in FilesOf(template))
        {
            var compiled = Load(template, file, html: file == HtmlFile);
            var defined = new HashSet<string>(compiled.Scan.Defined, StringComparer.Ordinal);
            var references = compiled.Scan.References.Select(r => (File: file, Reference: r)).ToList();
            problems.AddRange(compiled.Problems.Select(p => $"template \"{template}\" ({file}, line {p.Line}) does not parse: {p.Message}"));
            foreach (var (partial, line) in compiled.Scan.Includes)
            {
                var partialFile = PartialPath(partial);
                if (partialFile is null || !File.Exists(partialFile))
                {
                    problems.Add($"template \"{template}\" ({file}, line {line}) includes \"{partial}\", but there is no {PartialsFolder}/{partial}.liquid in the templates folder");
                    continue;
                }

                var scan = LiquidScanner.Scan(File.ReadAllText(partialFile));
                var shown = $"{PartialsFolder}/{partial}.liquid";
                problems.AddRange(scan.Problems.Select(p => $"template \"{template}\" ({shown}, line {p.Line}) does not parse: {p.Message}"));
                defined.UnionWith(scan.Defined);
                references.AddRange(scan.References.Select(r => (shown, r)));
            }

            foreach (var (where, reference) in references)
            {
                if (Describe(template, where, reference, defined, scope) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    public Task<RenderedEmail> RenderAsync(string template, TemplateModel model, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Exists(template))
        {
            throw new TemplateRenderException($"template \"{template}\" does not exist in {_directory}");
        }

        var subject = Render(Load(template, SubjectFile, html: false), model, _textPartials);
        var html = Render(Load(template, HtmlFile, html: true), model, _htmlPartials).TrimStart();
        var text = File.Exists(Path.Combine(_directory, template, TextFile))
            ? Render(Load(template, TextFile, html: false), model, _textPartials)
            : HtmlToText.Convert(html);
        subject = Whitespace().Replace(subject, " ").Trim();
        return Task.FromResult(new RenderedEmail(subject, html, text));
    }

    private static string Render(CompiledFile file, TemplateModel model, IFileSystem partials)
    {
        if (file.Template is null)
        {
            var (line, message) = file.Problems[0];
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}, line {line}) does not parse: {message}");
        }

        var parameters = new RenderParameters(CultureInfo.InvariantCulture)
        {
            LocalVariables = LiquidValues.ToHash(model.Variables),
            Filters = Filters,
            Registers = Hash.FromAnonymousObject(new { file_system = partials }),
            ErrorsOutputMode = ErrorsOutputMode.Rethrow,
        };
        try
        {
            lock (file.Gate)
            {
                return file.Template.Render(parameters);
            }
        }
        catch (Exception exception) when (exception is not TemplateRenderException)
        {
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}) failed to render: {exception.Message}", exception);
        }
    }

    private IEnumerable<string> FilesOf(string template)
    {
        yield return SubjectFile;
        yield return HtmlFile;
        if (File.Exists(Path.Combine(_directory, template, TextFile)))
        {
            yield return TextFile;
        }
    }

    private CompiledFile Load(string template, string file, bool html) =>
        _files.GetOrAdd($"{template}/{file}", _ => new Lazy<CompiledFile>(() => Compile(template, file, File.ReadAllText(Path.Combine(_directory, template, file)), html))).Value;

    private static CompiledFile Compile(string template, string file, string source, bool html)
    {
        var scan = LiquidScanner.Scan(source);
        var problems = scan.Problems.OrderBy(p => p.Line).ToList();
        Template? parsed = null;
        if (problems.Count == 0)
        {
            try
            {
                parsed = Template.Parse(html ? LiquidScanner.EscapeOutputs(scan.Tokens) : source);
            }
            catch (Exception exception) when (exception is DotLiquid.Exceptions.LiquidException or ArgumentException or InvalidOperationException)
            {
                problems.Add((LineOf(source, exception.Message), exception.Message));
            }
        }

        return new CompiledFile(template, file, scan, problems, parsed);
    }

    /// <summary>DotLiquid's messages quote the offending piece ('bogus'); its first line in the source, else line 1.</summary>
    private static int LineOf(string source, string message)
    {
        var quoted = Quoted().Match(message);
        var index = quoted.Success ? source.IndexOf(quoted.Groups[1].Value, StringComparison.Ordinal) : -1;
        return index < 0 ? 1 : source[..index].Count(c => c == '\n') + 1;
    }

    private string? PartialPath(string name) =>
        IsValidName(name) ? Path.Combine(_directory, PartialsFolder, name + ".liquid") : null;

    private static string? Describe(string template, string file, LiquidReference reference, HashSet<string> defined, TemplateScope scope)
    {
        var where = $"template \"{template}\" ({file}, line {reference.Line})";
        if (reference.Root == "events")
        {
            var segments = reference.Path.Split('.', '[');
            if (segments.Length < 2 || segments[1].Length == 0 || scope.EventStepIds.Contains(segments[1].TrimEnd(']')))
            {
                return null;
            }

            var known = scope.EventStepIds.Count == 0
                ? "this journey has no waitForEvent or webhook step before it"
                : $"the steps whose events it can use are {string.Join(", ", scope.EventStepIds.Order(StringComparer.Ordinal).Select(s => $"\"{s}\""))}";
            return $"{where} uses \"{reference.Path}\", but there is no waitForEvent or webhook step \"{segments[1]}\" it can come from: {known}";
        }

        if (Roots.Contains(reference.Root) || defined.Contains(reference.Root))
        {
            return null;
        }

        var message = $"{where} uses \"{reference.Path}\", but a journey only provides {string.Join(", ", Roots.Take(Roots.Count - 1))} and {Roots[^1]}";
        return Suggest(reference.Path) is { } suggestion ? $"{message}: did you mean \"{suggestion}\"?" : message;
    }

    /// <summary>The likely intended variable for a path with an unknown root, or null.</summary>
    public static string? Suggest(string path)
    {
        var dot = path.IndexOfAny(['.', '[']);
        var root = dot < 0 ? path : path[..dot];
        var rest = dot < 0 ? string.Empty : path[dot..];
        var lower = root.ToLowerInvariant();
        switch (lower)
        {
            case "cart" or "order" or "checkout" or "purchase" or "data" or "payload" or "trigger_event" or "triggerevent":
                return "trigger" + rest;
            case "items" or "total" or "subtotal" or "currency" or "carturl" or "cart_url" or "orderid" or "order_id" or "reviewurl" or "review_url" or "coupon":
                return "trigger." + ToCamel(root) + rest;
            case "customer" or "user" or "subscriber" or "profile" or "person" or "recipient":
                return "contact" + rest;
            case "firstname" or "first_name" or "lastname" or "last_name" or "name" or "email" or "timezone" or "time_zone" or "tags":
                return "contact." + ToCamel(root) + rest;
            case "unsubscribe" or "unsubscribeurl" or "unsubscribe_link" or "unsubscribelink" or "unsubscribe-url":
                return "unsubscribe_url";
            case "today" or "date" or "time":
                return "now";
        }

        var closest = Roots.Select(r => (Root: r, Distance: Distance(lower, r))).MinBy(x => x.Distance);
        return closest.Distance <= 2 ? closest.Root + rest : null;
    }

    private static string ToCamel(string name)
    {
        var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length <= 1)
        {
            var known = new[] { "firstName", "lastName", "timeZone", "cartUrl", "orderId", "reviewUrl" };
            return known.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name;
        }

        return parts[0].ToLowerInvariant() + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static bool IsValidName(string name) => !string.IsNullOrEmpty(name) && ValidName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    private sealed record CompiledFile(string TemplateName, string FileName, LiquidScan Scan, IReadOnlyList<(int Line, string Message)> Problems, Template? Template)
    {
        public object Gate { get; } = new();
    }

    /// <summary>
    /// Serves <c>{% include 'name' %}</c> from the partials folder; for an HTML body the partial's outputs are
    /// HTML-encoded like the body's own. Sources are read and rewritten once.
    /// </summary>
    private sealed class PartialFileSystem(LiquidTemplateRenderer owner, bool html) : IFileSystem
    {
        private readonly ConcurrentDictionary<string, string> _sources = new(StringComparer.Ordinal);

        public string ReadTemplateFile(Context context, string templateName)
        {
            var name = (context[templateName] as string ?? templateName).Trim('\'', '"');
            var path = owner.PartialPath(name);
            if (path is null || !File.Exists(path))
            {
                throw new TemplateRenderException($"partial \"{name}\" does not exist: add {PartialsFolder}/{name}.liquid to the templates folder");
            }

            return _sources.GetOrAdd(name, _ =>
            {
                var source = File.ReadAllText(path);
                return html ? LiquidScanner.EscapeOutputs(LiquidScanner.Scan(source).Tokens) : source;
            });
        }
    }
}
