// The journey dashboard in Azure: an Azure Static Web App (Standard: the plan that links a backend) serving the
// bundled page, with the Functions app linked as its /api backend, and Entra ID sign-in through the Static Web Apps
// authentication that src/JourneyFunctions.Dashboard/wwwroot/staticwebapp.config.json requires on every route.
// Locally the built-in host serves the same page and signs in with the API key instead (docs/dashboard.md).

@description('Name of the static web app.')
param name string

@description('Region of the static web app (Static Web Apps runs in a few regions only, e.g. westeurope, eastus2).')
param location string

param tags object = {}

@description('Resource id of the Functions app the dashboard calls as its /api backend.')
param functionAppId string

@description('Region of the Functions app.')
param functionAppLocation string

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'dashboard' })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Linked backends are not supported in pull-request environments.
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: site
  name: 'functions'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostname}'
