namespace JourneyFunctions.Core.Ports;

/// <summary>What journey validation asks of the templates.</summary>
public interface ITemplateCatalog
{
    bool Exists(string template);

    /// <summary>
    /// Problems with a template for use in a journey: parse errors, and variables the journey can never provide.
    /// Each problem is a sentence a marketer understands.
    /// </summary>
    IReadOnlyList<string> Check(string template, TemplateScope scope);
}

/// <summary>What a journey can provide to a template at a step: events.&lt;id&gt; exist only for these waitForEvent/webhook step ids.</summary>
public sealed record TemplateScope(IReadOnlyCollection<string> EventStepIds);
