# Import the mapping of an AWS role by the AWS role's id (a UUID, the id of
# the jitsudo_aws_role data source).
terraform import jitsudo_aws_role_mapping.example 2f8823ef-16d5-4b86-b4f9-8a16a28f91d9
