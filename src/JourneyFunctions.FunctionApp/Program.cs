using Azure.Core.Serialization;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Security;
using JourneyFunctions.FunctionApp;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpProblemMiddleware>();

// Orchestration inputs, activity payloads, external events and queue messages use the journey JSON contract.
builder.Services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(OrchestrationJson.Options));
builder.Services.AddJourneyFunctionApp(builder.Configuration);

var app = builder.Build();

// Refuse to start without the suppression list's HMAC key outside Development (Suppressions:Key, from Key Vault).
_ = app.Services.GetRequiredService<AddressHasher>();
app.Run();
