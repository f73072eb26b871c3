namespace JourneyFunctions.Core.Ports;

/// <summary>Renders email templates (Liquid) and tells validation which templates exist and what they need.</summary>
public interface ITemplateRenderer : ITemplateCatalog
{
    Task<RenderedEmail> RenderAsync(string template, TemplateModel model, CancellationToken cancellationToken = default);
}

/// <summary>Variables of one email: contact, trigger, event, events, journey, step, unsubscribe_url.</summary>
public sealed record TemplateModel
{
    public required IReadOnlyDictionary<string, object?> Variables { get; init; }
}

public sealed record RenderedEmail(string Subject, string Html, string Text);
