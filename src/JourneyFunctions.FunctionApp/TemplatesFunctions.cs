using JourneyFunctions.Api;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary><c>/api/templates/{id}/preview</c>: a template rendered for a contact or sample data, through the built-in host's handler.</summary>
public sealed class TemplatesFunctions(
    ITemplateRenderer templates,
    IContactStore contacts,
    IJourneyStore journeys,
    IUnsubscribeUrlBuilder unsubscribeUrls,
    IOptions<SendingOptions> sending,
    IOptions<ApiOptions> options,
    TimeProvider time)
{
    [Function(ApiRoutes.Names.PreviewTemplate)]
    public async Task<IResult> PreviewTemplate(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.TemplatePreview)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await TemplatePreviewApi.PreviewAsync(id, request, templates, contacts, journeys, unsubscribeUrls, sending, options, time, cancellationToken);
}
