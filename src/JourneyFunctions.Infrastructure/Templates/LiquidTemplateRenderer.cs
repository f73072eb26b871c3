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
/// validation. Outputs of an HTML body are HTML-encoded (<c>| raw</c> as the last filter opts out); subject and text
/// are not encoded. A missing <c>body.txt.liquid</c> is derived from the rendered HTML by <see cref="HtmlToText"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every file, partials included, is parsed once into a DotLiquid <see cref="Template"/> and cached with the size and
/// last write time it was read at; a file is looked at again at most once per
/// <see cref="TemplateOptions.ReloadCheckInterval"/> and parsed again when it changed, so an edited template is picked
/// up without a restart and a deleted one stops rendering. Parsing is what costs (milliseconds per file on DotLiquid's
/// regular expressions); rendering a parsed template is tens of microseconds.
/// </para>
/// <para>
/// Renders share the parsed templates without a lock: each render builds its own DotLiquid <see cref="Context"/>
/// (variables, filters, the partials file system) and hands it over in <see cref="RenderParameters.Context"/>, and
/// the templates are marked thread-safe, so DotLiquid never writes per-render state (registers, assigns, errors)
/// into the shared <see cref="Template"/>. (Without a ready Context a thread-safe template would drop the filters and
/// registers of its <see cref="RenderParameters"/>; that is why the Context is built here.) <c>{% include %}</c> gets
/// its parsed partial from <see cref="ITemplateFileSystem.GetTemplate"/> and renders it in the includer's Context.
/// </para>
/// </remarks>
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

    private readonly string _directory;
    private readonly FileCache<CompiledFile> _files;
    private readonly FileCache<CompiledFile> _partials;
    private readonly PartialFileSystem _htmlPartials;
    private readonly PartialFileSystem _textPartials;

    public LiquidTemplateRenderer(IOptions<TemplateOptions> options)
        : this(options.Value.Directory, options.Value.ReloadCheckInterval)
    {
    }

    /// <param name="directory">The templates folder.</param>
    /// <param name="reloadCheckInterval">
    /// How long a cached file is used before its size and write time are looked at again
    /// (<see cref="TemplateOptions.ReloadCheckInterval"/>); null for the default, zero to look on every render.
    /// </param>
    public LiquidTemplateRenderer(string directory, TimeSpan? reloadCheckInterval = null)
    {
        _directory = Path.GetFullPath(directory);
        var interval = reloadCheckInterval ?? TemplateOptions.DefaultReloadCheckInterval;
        _files = new FileCache<CompiledFile>(interval);
        _partials = new FileCache<CompiledFile>(interval);
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
            if (Load(template, file, html: file == HtmlFile) is not { } compiled)
            {
                continue;
            }

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
        var subjectFile = IsValidName(template) ? Load(template, SubjectFile, html: false) : null;
        var htmlFile = subjectFile is null ? null : Load(template, HtmlFile, html: true);
        if (subjectFile is null || htmlFile is null)
        {
            throw new TemplateRenderException($"template \"{template}\" does not exist in {_directory}");
        }

        // The variables are converted once and shared by the three renders: rendering only reads them (assign,
        // capture and include write to the Context's own scopes).
        var variables = LiquidValues.ToHash(model.Variables);
        var subject = Render(subjectFile, variables, _textPartials, cancellationToken);
        var html = Render(htmlFile, variables, _htmlPartials, cancellationToken).TrimStart();
        var text = Load(template, TextFile, html: false) is { } textFile
            ? Render(textFile, variables, _textPartials, cancellationToken)
            : HtmlToText.Convert(html);
        subject = Whitespace().Replace(subject, " ").Trim();
        return Task.FromResult(new RenderedEmail(subject, html, text));
    }

    private static string Render(CompiledFile file, Hash variables, IFileSystem partials, CancellationToken cancellationToken)
    {
        if (file.Template is null)
        {
            var (line, message) = file.Problems[0];
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}, line {line}) does not parse: {message}");
        }

        // A Context of this render only (see the remarks of the type): the shared template is never written to.
        var context = new Context(
            [variables],
            new Hash(),
            new Hash { ["file_system"] = partials },
            ErrorsOutputMode.Rethrow,
            maxIterations: 0,
            CultureInfo.InvariantCulture,
            cancellationToken);
        LiquidStrainers.Attach(context);
        try
        {
            return file.Template.Render(new RenderParameters(CultureInfo.InvariantCulture) { Context = context });
        }
        catch (Exception exception) when (exception is not TemplateRenderException and not OperationCanceledException)
        {
            // A cancelled render (the caller's token, passed to DotLiquid's context) stays a cancellation, not a broken template.
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}) failed to render: {exception.Message}", exception) { Permanent = true };
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

    /// <summary>The file parsed (cached, see the remarks of the type), or null when it does not exist.</summary>
    private CompiledFile? Load(string template, string file, bool html) =>
        _files.Get(Path.Combine(_directory, template, file), source => Compile(template, file, source, html));

    private static CompiledFile Compile(string template, string file, string source, bool html)
    {
        var scan = LiquidScanner.Scan(source);
        var problems = scan.Problems.OrderBy(p => p.Line).ToList();
        var liquid = html && problems.Count == 0 ? LiquidScanner.EscapeOutputs(scan.Tokens) : source;
        Template? parsed = null;
        if (problems.Count == 0)
        {
            try
            {
                parsed = Template.Parse(liquid);
                parsed.MakeThreadSafe();
            }
            catch (Exception exception) when (exception is DotLiquid.Exceptions.LiquidException or ArgumentException or InvalidOperationException)
            {
                problems.Add((LineOf(source, exception.Message), exception.Message));
            }
        }

        return new CompiledFile(template, file, scan, problems, parsed, liquid);
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

    /// <summary>One parsed file: its scan (for checks), its parse problems, and the template when it parses.</summary>
    private sealed record CompiledFile(string TemplateName, string FileName, LiquidScan Scan, IReadOnlyList<(int Line, string Message)> Problems, Template? Template, string Source);

    /// <summary>
    /// Serves <c>{% include 'name' %}</c> from the partials folder as parsed templates, cached like the templates'
    /// own files (<see cref="ITemplateFileSystem.GetTemplate"/>, which DotLiquid's include tag asks first); for an
    /// HTML body the partial's outputs are HTML-encoded like the body's own, so the HTML and text variants of a
    /// partial are cached apart.
    /// </summary>
    private sealed class PartialFileSystem(LiquidTemplateRenderer owner, bool html) : ITemplateFileSystem
    {
        public Template GetTemplate(Context context, string templateName)
        {
            var (name, compiled) = Load(context, templateName);
            if (compiled.Template is null)
            {
                // Not a TemplateRenderException: the render wraps it with the including template's name and file.
                var (line, message) = compiled.Problems[0];
                throw new InvalidOperationException($"partial \"{name}\" ({PartialsFolder}/{name}.liquid, line {line}) does not parse: {message}");
            }

            return compiled.Template;
        }

        /// <summary>The partial's source as it is parsed (outputs encoded for HTML); DotLiquid's fallback when <see cref="GetTemplate"/> has no template.</summary>
        public string ReadTemplateFile(Context context, string templateName) => Load(context, templateName).Compiled.Source;

        private (string Name, CompiledFile Compiled) Load(Context context, string templateName)
        {
            var name = (context[templateName] as string ?? templateName).Trim('\'', '"');
            var path = owner.PartialPath(name);
            var compiled = path is null
                ? null
                : owner._partials.Get(path + (html ? "#html" : "#text"), path, source => Compile(PartialsFolder, name + ".liquid", source, html));
            return compiled is null
                ? throw new TemplateRenderException($"partial \"{name}\" does not exist: add {PartialsFolder}/{name}.liquid to the templates folder")
                : (name, compiled);
        }
    }
}
