// The Function App on the Flex Consumption plan (FC1), .NET 10 isolated worker, running as the user-assigned
// identity. Flex Consumption takes the runtime from functionAppConfig (FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be app settings there) and deploys from a blob container it reads with the
// identity. Every connection is identity-based: AzureWebJobsStorage__* with credential=managedidentity, the app's own
// storage and ACS by endpoint, Application Insights with Entra ID auth, the signing key as a Key Vault reference.

param planName string
param appName string
param location string
param tags object = {}

@description('azd service name this app is deployed as (azure.yaml).')
param serviceName string = 'api'

param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

param applicationInsightsConnectionString string

param acsEndpoint string
param emailSenderAddress string

@description('App-setting value holding the Key Vault reference of the unsubscribe signing key.')
param unsubscribeSigningKeyReference string

@description('App-setting value holding the Key Vault reference of the suppression list\'s HMAC key.')
param suppressionsKeyReference string

@description('Id of the unsubscribe signing key; it travels in every token, so a rotated key gets a new id.')
param unsubscribeKeyId string = 'k1'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Name of the storage queue contact events go through (the queue trigger reads it).')
param eventsQueueName string = 'journey-events'

@description('Entra tenant whose tokens Event Grid presents on /api/eventgrid (the subscription\'s azureActiveDirectoryTenantId).')
param eventGridTenantId string

@description('Audience of those tokens: the app registration\'s application id or Application ID URI (the subscription\'s azureActiveDirectoryApplicationIdOrUri). Empty: /api/eventgrid refuses every delivery.')
param eventGridApplicationIdOrUri string

// Event Grid's Entra ID application id in the public cloud, as Microsoft's own setup scripts name it ($eventGridAppId,
// "You don't need to modify this id"): https://learn.microsoft.com/azure/event-grid/scripts/powershell-webhook-secure-delivery-microsoft-entra-app
// and https://learn.microsoft.com/azure/event-grid/secure-webhook-delivery. Sovereign clouds use another id: override it.
@description('Client id the tokens must be issued to: Event Grid\'s first-party application (Microsoft.EventGrid).')
param eventGridClientId string = '4962773b-9cdb-44cf-a8bf-237846a00ab7'

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var appSettings = {
  // Functions host storage (and the Durable Functions task hub), identity-based.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  // Telemetry with Entra ID auth: the connection string only says where to send; local auth is off.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential / ManagedIdentityCredential in the app pick the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId
  // The app's own data (contacts, journeys, runs, ledger ...) and its event queue, in the same account, by endpoint
  // (Infrastructure StorageOptions, section Storage).
  Storage__Provider: 'AzureStorage'
  Storage__TableServiceUri: storageTableEndpoint
  Storage__QueueServiceUri: storageQueueEndpoint
  Storage__QueueName: eventsQueueName
  Storage__ManagedIdentityClientId: identityClientId
  // ACS email with Entra ID auth: the endpoint alone, no access key (AcsEmailOptions, section Email:Acs).
  Email__Provider: 'Acs'
  Email__Acs__Endpoint: acsEndpoint
  Email__Acs__SenderAddress: emailSenderAddress
  Sending__FromAddress: emailSenderAddress
  // The unsubscribe signing key, as a Key Vault reference (UnsubscribeTokenOptions, section Unsubscribe).
  Unsubscribe__Keys__0__Id: unsubscribeKeyId
  Unsubscribe__Keys__0__Secret: unsubscribeSigningKeyReference
  // The suppression list's HMAC key, as a Key Vault reference (AddressHashOptions, section Suppressions): without it
  // the app refuses to start outside Development.
  Suppressions__Key: suppressionsKeyReference
  // Event Grid's credential on /api/eventgrid: an Entra ID token for this audience, from this tenant, issued to Event
  // Grid (FunctionApp EventGridAuthOptions, section EventGrid). Never a Functions key: the route is anonymous at the
  // Functions level and the handler validates the token's signature, issuer, audience, lifetime and client.
  EventGrid__TenantId: eventGridTenantId
  EventGrid__Audience: eventGridApplicationIdOrUri
  EventGrid__AllowedClientIds__0: eventGridClientId
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    // Unsubscribe links need the app's real host name, known only once the site exists.
    properties: union(appSettings, {
      Sending__PublicBaseUrl: 'https://${app.properties.defaultHostName}'
    })
  }

  // Deployment goes through the identity and the blob container; no publishing user names or passwords.
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
