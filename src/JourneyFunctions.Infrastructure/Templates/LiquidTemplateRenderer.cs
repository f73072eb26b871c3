using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;
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
/// The engine is Fluid. Every file, partials included, is first read by <see cref="LiquidScanner"/> (the checks of
/// validation, with lines; only the tags it knows get through), its outputs rewritten to end in the filter that
/// prints them (the HTML encoder in an HTML body), then parsed once by one shared <see cref="FluidParser"/> and cached
/// with the size and last write time it was read at; a file is looked at again at most once per
/// <see cref="TemplateOptions.ReloadCheckInterval"/> and parsed again when it changed, so an edited template is picked
/// up without a restart and a deleted one stops rendering.
/// </para>
/// <para>
/// Renders share the parsed templates and one Fluid <see cref="Fluid.TemplateOptions"/> (filters, partials) without a
/// lock: a parsed Fluid template is immutable, and each email gets its own <see cref="TemplateContext"/> holding the
/// model's variables; each of its three parts renders in a scope of its own, so an assign in the subject is not seen by
/// the body. <c>{% include %}</c> and <c>{% render %}</c> reach partials only through this renderer (the options'
/// file provider, which serves <c>_partials/&lt;name&gt;.liquid</c> by a validated name and nothing else, and whose
/// cache hands Fluid the partial this renderer already parsed, HTML or text variant).
/// </para>
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
    private readonly Fluid.TemplateOptions _fluid;

    /// <summary>One parser for every renderer: Fluid's parser is immutable once built and safe for concurrent parses.</summary>
    private static readonly FluidParser Parser = new();

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
        var partials = new PartialProvider(this);
        _fluid = new TemplateOptionsBuilder()
            .WithFileProvider(partials)
            .WithTemplateCache(partials)
            .WithCultureInfo(CultureInfo.InvariantCulture)
            .WithTimeZone(TimeZoneInfo.Utc)
            // The text of one part, not Fluid's 16 KB default: the buffer grows as needed and every render rents one.
            .WithOutputBufferSize(4096)
            .ConfigureFilters(LiquidFilters.Register)
            .Build();
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
            var isolated = new List<(string File, LiquidReference Reference, HashSet<string> Defined)>();
            foreach (var include in compiled.Scan.Includes)
            {
                var partial = include.Name;
                var partialFile = PartialPath(partial);
                if (partialFile is null || !File.Exists(partialFile))
                {
                    problems.Add($"template \"{template}\" ({file}, line {include.Line}) includes \"{partial}\", but there is no {PartialsFolder}/{partial}.liquid in the templates folder");
                    continue;
                }

                var scan = LiquidScanner.Scan(File.ReadAllText(partialFile));
                var shown = $"{PartialsFolder}/{partial}.liquid";
                problems.AddRange(scan.Problems.Select(p => $"template \"{template}\" ({shown}, line {p.Line}) does not parse: {p.Message}"));
                if (include.Isolated)
                {
                    // {% render %}: the partial sees the journey's variables and its arguments, not the includer's assigns.
                    var own = new HashSet<string>(scan.Defined, StringComparer.Ordinal);
                    own.UnionWith(include.Arguments);
                    isolated.AddRange(scan.References.Select(r => (shown, r, own)));
                    continue;
                }

                defined.UnionWith(scan.Defined);
                references.AddRange(scan.References.Select(r => (shown, r)));
            }

            foreach (var (where, reference, visible) in references.Select(r => (r.File, r.Reference, defined)).Concat(isolated))
            {
                if (Describe(template, where, reference, visible, scope) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One note per variable that a numeric filter takes, per file (the template's own or a partial it includes), at
    /// the first line it happens: <c>template "cart-reminder-1" (_partials/items.liquid, line 9) applies times and
    /// money to "item.price" (each of trigger.items): ...</c>. Variables the template computes itself (assign, capture)
    /// are left out: what the marketer must provide is the data they come from.
    /// </summary>
    public IReadOnlyList<string> Notes(string template)
    {
        if (!Exists(template))
        {
            return [];
        }

        var notes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in FilesOf(template))
        {
            if (Load(template, file, html: file == HtmlFile) is not { } compiled)
            {
                continue;
            }

            var scans = new List<(string File, LiquidScan Scan)> { (file, compiled.Scan) };
            foreach (var include in compiled.Scan.Includes)
            {
                if (PartialPath(include.Name) is { } partialFile && File.Exists(partialFile))
                {
                    scans.Add(($"{PartialsFolder}/{include.Name}.liquid", LiquidScanner.Scan(File.ReadAllText(partialFile))));
                }
            }

            foreach (var (where, scan) in scans)
            {
                if (!seen.Add(where))
                {
                    continue;
                }

                var computed = scan.Defined.Where(d => !scan.Loops.ContainsKey(d)).ToHashSet(StringComparer.Ordinal);
                foreach (var uses in scan.NumericUses.Where(u => !computed.Contains(u.Path.Split('.', '[')[0])).GroupBy(u => u.Path, StringComparer.Ordinal))
                {
                    var filters = uses.Select(u => u.Filter).Distinct(StringComparer.Ordinal).ToList();
                    var named = filters.Count == 1 ? filters[0] : string.Join(", ", filters.Take(filters.Count - 1)) + " and " + filters[^1];
                    var root = uses.Key.Split('.', '[')[0];
                    var each = scan.Loops.TryGetValue(root, out var collection) ? $" (each of {collection})" : string.Empty;
                    notes.Add($"template \"{template}\" ({where}, line {uses.Min(u => u.Line)}) applies {named} to \"{uses.Key}\"{each}: "
                        + $"{(filters.Count == 1 ? "this filter expects" : "these filters expect")} a number (a JSON number, or text in plain notation such as \"29.95\"); any other value is printed as it came");
                }
            }
        }

        return notes;
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

        // The variables are converted once into the email's context and shared by the three renders: each renders in
        // a scope of its own (Fluid's isolated render), so assign, capture and include never write to them.
        var context = new EmailContext(_fluid) { CancellationToken = cancellationToken };
        foreach (var (name, value) in LiquidValues.ToVariables(model.Variables))
        {
            context.SetValue(name, value);
        }

        var subject = Render(subjectFile, context, html: false);
        var html = Render(htmlFile, context, html: true, trimStart: true);
        var text = Load(template, TextFile, html: false) is { } textFile
            ? Render(textFile, context, html: false)
            : HtmlToText.Convert(html);
        subject = Whitespace().Replace(subject, " ").Trim();
        return Task.FromResult(new RenderedEmail(subject, html, text));
    }

    private static string Render(CompiledFile file, EmailContext context, bool html, bool trimStart = false)
    {
        if (file.Template is null)
        {
            var (line, message) = file.Problems[0];
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}, line {line}) does not parse: {message}");
        }

        context.Html = html;
        try
        {
            // Into this thread's buffer (no output buffer per render, and the leading whitespace of an HTML body,
            // the lines of its assigns and includes, is cut without copying the body), in a scope of this part only.
            var output = Output.Rent();
            using (context.EnterScope(ScopeBehavior.Local))
            {
                var rendering = file.Template.RenderAsync(output, NullEncoder.Default, context);
                if (!rendering.IsCompletedSuccessfully)
                {
                    rendering.AsTask().GetAwaiter().GetResult();
                }
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            var start = 0;
            while (trimStart && start < output.Length && char.IsWhiteSpace(output[start]))
            {
                start++;
            }

            var rendered = output.ToString(start);
            Output.Return(output);
            return rendered;
        }
        catch (PartialException exception)
        {
            // A partial that is missing or does not parse is fixed by the operator, like the template itself: retried.
            throw new TemplateRenderException($"template \"{file.TemplateName}\" ({file.FileName}) failed to render: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is not TemplateRenderException and not OperationCanceledException)
        {
            // The template parsed and failed on this data: a permanent failure of the step. A cancelled render (the
            // caller's token, which Fluid checks between statements) stays a cancellation, not a broken template.
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
        var liquid = source;
        IFluidTemplate? parsed = null;
        if (problems.Count == 0)
        {
            liquid = LiquidScanner.RewriteOutputs(scan.Tokens, html);
            if (Parser.TryParse(liquid, out var fluid, out var error))
            {
                parsed = fluid;
            }
            else
            {
                problems.Add((LineOf(liquid, error), ParsePosition().Replace(error, string.Empty).Trim()));
            }
        }

        return new CompiledFile(template, file, scan, problems, parsed, liquid, Interlocked.Increment(ref _compiled));
    }

    private static long _compiled;

    /// <summary>Fluid's messages end in the position, <c>at (3:14)</c>; its line, else the first line quoting the piece, else 1.</summary>
    private static int LineOf(string source, string message)
    {
        var position = ParsePosition().Match(message);
        if (position.Success)
        {
            return int.Parse(position.Groups["line"].Value, CultureInfo.InvariantCulture);
        }

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

    [GeneratedRegex(@"\s*at \((?<line>\d+):(?<column>\d+)\)")]
    private static partial Regex ParsePosition();

    /// <summary>One parsed file: its scan (for checks), its parse problems, the template when it parses, and a version number.</summary>
    private sealed record CompiledFile(string TemplateName, string FileName, LiquidScan Scan, IReadOnlyList<(int Line, string Message)> Problems, IFluidTemplate? Template, string Source, long Version);

    /// <summary>The context of one email: Fluid's, plus which part is rendering, so partials come HTML-encoded in the HTML body.</summary>
    private sealed class EmailContext(Fluid.TemplateOptions options) : TemplateContext(options)
    {
        public bool Html { get; set; }
    }

    /// <summary>
    /// Fluid's output into a growing character buffer; one buffer per thread is reused across renders, so a render
    /// allocates only the string it returns.
    /// </summary>
    private sealed class Output : IFluidOutput
    {
        /// <summary>Buffers that grew beyond this many characters (a huge email) are not kept.</summary>
        private const int KeptCapacity = 64 * 1024;

        [ThreadStatic]
        private static Output? _threadCached;

        private char[] _buffer = new char[8 * 1024];
        private int _length;

        public int Length => _length;

        public char this[int index] => _buffer[index];

        public static Output Rent()
        {
            var output = _threadCached ?? new Output();
            _threadCached = null;
            output._length = 0;
            return output;
        }

        public static void Return(Output output)
        {
            if (output._buffer.Length <= KeptCapacity)
            {
                _threadCached = output;
            }
        }

        public string ToString(int start) => new(_buffer, start, _length - start);

        public void Write(string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            value.CopyTo(GetSpan(value.Length));
            _length += value.Length;
        }

        public void Write(char[] buffer, int index, int count)
        {
            buffer.AsSpan(index, count).CopyTo(GetSpan(count));
            _length += count;
        }

        public ValueTask FlushAsync() => ValueTask.CompletedTask;

        public void Advance(int count) => _length += count;

        public Memory<char> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_length);
        }

        public Span<char> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_length);
        }

        private void Ensure(int sizeHint)
        {
            var needed = _length + Math.Max(sizeHint, 1);
            if (needed > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
            }
        }
    }

    /// <summary>A partial that is missing or does not parse; the render names the template that includes it.</summary>
    private sealed class PartialException(string message) : Exception(message);

    /// <summary>
    /// Serves <c>{% include 'name' %}</c> and <c>{% render 'name' %}</c> from the partials folder and nowhere else: the
    /// name must be a plain file name (no folder, no <c>..</c>), and the file is <c>_partials/&lt;name&gt;.liquid</c>.
    /// Partials are parsed and cached like the templates' own files, in an HTML variant (outputs encoded) and a text
    /// variant; the cache side hands Fluid the parsed partial of exactly the version the file side served (its
    /// <see cref="TemplateSourceInfo.LastModified"/> carries the version), so Fluid never parses a partial itself.
    /// </summary>
    private sealed class PartialProvider(LiquidTemplateRenderer owner) : ITemplateFileProvider, ITemplateCache
    {
        private readonly ConcurrentDictionary<string, CompiledFile> _served = new(StringComparer.Ordinal);

        public ValueTask<TemplateSourceInfo> GetFileInfoAsync(string path, TemplateContext context, CancellationToken cancellationToken = default)
        {
            var html = context is EmailContext { Html: true };
            var name = path.EndsWith(IncludeExtension, StringComparison.Ordinal) ? path[..^IncludeExtension.Length] : path;
            var file = owner.PartialPath(name);
            var compiled = file is null
                ? null
                : owner._partials.Get(file + (html ? "#html" : "#text"), file, source => Compile(PartialsFolder, name + ".liquid", source, html));
            if (compiled is null)
            {
                throw new PartialException($"partial \"{name}\" does not exist: add {PartialsFolder}/{name}.liquid to the templates folder");
            }

            if (compiled.Template is null)
            {
                var (line, message) = compiled.Problems[0];
                throw new PartialException($"partial \"{name}\" ({PartialsFolder}/{name}.liquid, line {line}) does not parse: {message}");
            }

            var key = (html ? "html/" : "text/") + name;
            _served[key] = compiled;
            var source = compiled.Source;
            return ValueTask.FromResult(new TemplateSourceInfo(
                new DateTimeOffset(compiled.Version, TimeSpan.Zero),
                _ => ValueTask.FromResult<Stream>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(source))),
                key));
        }

        public bool TryGetTemplate(string subpath, DateTimeOffset lastModified, out IFluidTemplate template)
        {
            if (_served.TryGetValue(subpath, out var compiled) && compiled.Version == lastModified.Ticks && compiled.Template is { } parsed)
            {
                template = parsed;
                return true;
            }

            template = null!;
            return false;
        }

        // Fluid parsed the served source itself (another version was served in between): nothing to keep, the next
        // look serves the current version again.
        public void SetTemplate(string subpath, DateTimeOffset lastModified, IFluidTemplate template)
        {
        }

        private const string IncludeExtension = ".liquid";
    }
}
