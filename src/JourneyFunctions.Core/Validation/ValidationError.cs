namespace JourneyFunctions.Core.Validation;

/// <summary>
/// One problem in a journey: where it is (<paramref name="Path"/>, a JSON path such as <c>$.steps[3].timeout</c>),
/// what kind it is (<paramref name="Code"/>, one of <see cref="ValidationCodes"/>, stable for tools and tests) and a
/// sentence a marketer understands (<paramref name="Message"/>, without the path).
/// </summary>
public sealed record ValidationError(string Path, string Code, string Message)
{
    /// <summary>1-based line of the problem in the file, when known (malformed JSON).</summary>
    public int? Line { get; init; }

    /// <summary>1-based column (in characters) of the problem in the file, when known (malformed JSON).</summary>
    public int? Column { get; init; }

    /// <inheritdoc />
    public override string ToString() => Line is { } line
        ? $"{line}:{Column ?? 1}: {Message}"
        : $"{Path}: {Message}";
}

/// <summary>
/// The outcome of validating a journey file. <see cref="Journey"/> is the deserialized definition when the file was
/// structurally sound (it may still have semantic errors); null when it could not be read as a journey at all.
/// </summary>
public sealed record ValidationResult(JourneyFunctions.Core.Model.JourneyDefinition? Journey, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Journey is not null;

    /// <summary>
    /// Checks that were skipped, each as a sentence (no templates were given, so template names were not checked;
    /// the file has structural problems, so the semantic checks did not run). Shown whether or not there are errors,
    /// so a clean result never hides a check that did not happen.
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Problems that do not stop a publish but would fail a run if left (a webhook secret the configuration does not
    /// hold), each with its JSON path; they do not count against <see cref="IsValid"/>.
    /// </summary>
    public IReadOnlyList<ValidationError> Warnings { get; init; } = [];
}
