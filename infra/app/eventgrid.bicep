// ACS publishes email delivery and engagement reports to an Event Grid system topic on the Communication Services
// resource; a subscription delivers the two email report types to the app's Event Grid trigger function. Event Grid
// validates an AzureFunction destination when the subscription is created, so the function must already be deployed:
// main.bicep creates this module only when subscribeAcsEvents is true (azure.yaml's postdeploy hook sets it).

param systemTopicName string
param tags object = {}

@description('Resource id of the Communication Services resource that emits the reports.')
param communicationServiceId string

@description('Resource id of the Function App.')
param functionAppId string

@description('Name of the Event Grid trigger function in the app.')
param functionName string = 'AcsEmailEvents'

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
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${functionName}'
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
