// ACS publishes email delivery and engagement reports to an Event Grid system topic on the Communication Services
// resource; a subscription delivers the two email report types to the app's HTTP webhook, POST /api/eventgrid (the
// same route and handler as the built-in host; the EventGrid trigger extension is not used). Delivery is Entra
// ID-protected: Event Grid gets a token for azureActiveDirectoryApplicationIdOrUri in azureActiveDirectoryTenantId and
// sends it as Authorization: Bearer; the app validates it (signature, issuer, audience, lifetime, client). Event Grid
// validates the endpoint (subscription validation event) when the subscription is created, so the app must already
// be deployed: main.bicep creates this module only when subscribeAcsEvents is true (azure.yaml's postdeploy hook sets it).

param systemTopicName string
param tags object = {}

@description('Resource id of the Communication Services resource that emits the reports.')
param communicationServiceId string

// Secure because Event Grid treats a WebHook URL as a secret (it may carry keys); this one carries none.
@secure()
@description('The app\'s Event Grid webhook, https://<app host>/api/eventgrid.')
param endpointUrl string

@minLength(1)
@description('Application id or Application ID URI of the Entra app registration Event Grid requests its delivery token for.')
param azureActiveDirectoryApplicationIdOrUri string

@minLength(1)
@description('Entra tenant of that app registration.')
param azureActiveDirectoryTenantId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  properties: {
    source: communicationServiceId
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'email-reports-to-app'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: endpointUrl
        azureActiveDirectoryApplicationIdOrUri: azureActiveDirectoryApplicationIdOrUri
        azureActiveDirectoryTenantId: azureActiveDirectoryTenantId
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.EmailDeliveryReportReceived'
        'Microsoft.Communication.EmailEngagementTrackingReportReceived'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = topic.name
